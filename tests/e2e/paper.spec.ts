import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WallClock } from '../../engine/core/clock.ts';
import { BybitRateLimiter } from '../../engine/venues/bybit/rate-limit.ts';
import { BybitRest } from '../../engine/venues/bybit/rest-client.ts';
import { expect, ROOT, startHostProcess, test, type HostProcess } from './fixtures.ts';
import { ConnectPage, WorkstationPage } from './pages/workstation.ts';

/**
 * PAPER (Bybit data) end to end: a host pointed at the Bybit protocol simulator by its URL flags, the
 * trader choosing PAPER in the connect view. No key is saved or asked for (no keychain is involved),
 * the book is the simulator's, and our quotes rest in the simulated execution: the simulator's
 * account never sees an order.
 */

const API_KEY = 'e2e-paper-key';
const API_SECRET = 'e2e-paper-secret-0123456789';

interface Simulator {
  rest: string;
  ws: string;
  stop(): Promise<void>;
}

/** The Bybit simulator as its CLI runs it; resolves with its endpoints once it listens. */
async function startSimulator(): Promise<Simulator> {
  const child: ChildProcess = spawn(process.execPath, ['engine/simulators/cli.ts', 'bybit', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VENUE_SIM_API_KEY: API_KEY, VENUE_SIM_API_SECRET: API_SECRET },
  });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const endpoints = await new Promise<{ rest: string; ws: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator did not start:\n${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^\{.*"venue":"bybit".*\}$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[0]) as { rest: string; ws: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited with ${String(code)}:\n${out}`));
    });
  });
  return {
    ...endpoints,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The simulator account's open spot orders, read over its signed REST API. */
async function venueOpenOrders(restUrl: string): Promise<unknown[]> {
  const clock = new WallClock();
  const rest = new BybitRest({
    baseUrl: restUrl,
    clock,
    limiter: new BybitRateLimiter(clock),
    credentials: { apiKey: API_KEY, apiSecret: API_SECRET },
  });
  await rest.syncTime();
  const answer = await rest.signedGet('/v5/order/realtime', { category: 'spot', openOnly: 0 }, 'spot');
  if (!answer.ok) throw new Error(`open orders: ${answer.retMsg}`);
  return (answer.result as { list: unknown[] }).list;
}

test.describe('PAPER on Bybit data against the Bybit protocol simulator', () => {
  let simulator: Simulator | undefined;
  let host: HostProcess | undefined;
  let dataDir: string | undefined;

  test.beforeEach(async () => {
    simulator = await startSimulator();
    dataDir = mkdtempSync(join(tmpdir(), 'mmws-e2e-paper-'));
    host = await startHostProcess(dataDir, [
      '--bybit-rest-url',
      simulator.rest,
      '--bybit-ws-url',
      simulator.ws,
    ]);
  });

  test.afterEach(async () => {
    await host?.stop();
    await simulator?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    [host, simulator, dataDir] = [undefined, undefined, undefined];
  });

  test('choose PAPER, see the book and our quotes; nothing reaches the venue', async ({ page }) => {
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(host!.url);
    await expect(ws.mode).toHaveText('SIM');

    // The data source follows the URL flags; no key is asked for.
    await connect.open();
    await connect.chooseVenue('paper');
    expect(await connect.paperSource()).toEqual({ env: 'mainnet', rest: simulator!.rest, ws: simulator!.ws });
    await expect(connect.chosenMode).toHaveText('PAPER');
    await expect(connect.mainnetWarning).toHaveCount(0);
    await expect(page.getByTestId('connect-paper-note')).toContainText('No order reaches Bybit');
    await expect(connect.submit).toHaveText('Connect to PAPER (Bybit data)');
    await page.screenshot({ path: test.info().outputPath('connect-paper.png') });
    await connect.close();

    await connect.connectPaper('BTCUSDT');
    await expect(ws.mode).toHaveText('PAPER', { timeout: 30_000 });
    await page.locator('.app[data-state="ready"]').waitFor();
    await expect(ws.app).toHaveClass(/app--paper/);
    await expect(ws.app).not.toHaveClass(/app--live/);
    await expect(connect.liveBand).toHaveCount(0);
    await expect(connect.venueEnv).toHaveText('Bybit mainnet data · spot');
    await expect(page.getByTestId('paper-fills')).toBeVisible();
    await expect(connect.venueLink).toHaveAttribute('data-state', 'connected');
    await expect(ws.instrumentSymbol).toHaveText('BTCUSDT');
    await expect.poll(async () => (await ws.ladderPrices()).filter((p) => p > 0).length).toBeGreaterThan(0);

    await ws.startQuoting();
    await expect(ws.ownBidRows).toHaveCount(1, { timeout: 20_000 });
    await expect(ws.ownAskRows).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath('paper-bybit.png') });
    // Our quotes rest in the simulated execution only.
    expect(await venueOpenOrders(simulator!.rest)).toEqual([]);
  });
});
