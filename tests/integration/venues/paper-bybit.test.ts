/**
 * Paper trading on Bybit data: a whole session on `paper:bybit` against the local Bybit protocol
 * simulator, on the wall clock and real loopback sockets. The simulator is only the market data here:
 * our quotes rest in the simulated execution, fill from the simulator's public trades and book
 * through the queue model and the latency, and nothing reaches the simulator's account.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VenueChoices } from '../../../engine/api/contract.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { WallClock } from '../../../engine/core/clock.ts';
import { MemorySecretStore } from '../../../engine/host/secrets/secret-store.ts';
import { TradingApp } from '../../../engine/host/trading-app.ts';
import { Workstation } from '../../../engine/host/workstation.ts';
import { startBybitSim, type BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { BybitMarketData } from '../../../engine/venues/paper/bybit-market-data.ts';
import type { Trade } from '../../../engine/market/types.ts';
import { until } from './bybit-harness.ts';
import { expectPaperSession, type SeenFill } from './paper-checks.ts';

const KEY = 'it-paper-key-0001';
const SECRET = 'it-paper-secret-0123456789';

let sim: BybitSim;
const dirs: string[] = [];

beforeAll(async () => {
  // A busier tape than the default, so a few fills come within seconds despite the risk-averse queue.
  sim = await startBybitSim({ apiKey: KEY, apiSecret: SECRET, seed: 17, flow: { marketRate: 20 } });
});

afterAll(async () => {
  await sim.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmws-paper-'));
  dirs.push(dir);
  return dir;
}

/** The simulator's own account, as it started: nothing of ours may ever change it. */
function venueAccount() {
  return { orders: sim.openOrders({ category: 'spot' }), balances: sim.balances() };
}

describe('paper trading on Bybit data against the Bybit simulator', () => {
  it('quotes in simulated execution, fills from public trades with latency, keeps practice records, sends nothing to the venue', async () => {
    const before = venueAccount();
    const dataDir = tempDir();
    const clock = new WallClock();
    const app = new TradingApp(
      {
        dataDir,
        seed: 1,
        venue: { kind: 'paper', source: 'bybit' },
        symbols: ['BTCUSDT'],
        // The simulator's endpoints, as MMWS_BYBIT_REST_URL / MMWS_BYBIT_WS_URL would give them; no key.
        venueContext: { transport: { restUrl: sim.rest, wsUrl: sim.ws } },
      },
      clock,
    );
    expect(app.venue).toMatchObject({ id: 'paper-bybit', kind: 'paper' });
    const fills: SeenFill[] = [];
    app.node.bus.subscribe('fill.applied', (e) =>
      fills.push({ fill: e.fill, order: e.order, at: clock.now() }),
    );
    // The public tape as a bystander sees it, to tell what each fill came from.
    const tape = new BybitMarketData({ env: 'mainnet', clock, restUrl: sim.rest, wsUrl: sim.ws });
    const trades: { trade: Trade; at: number }[] = [];
    await tape.connect();
    const offTape = tape.subscribeMarket('BTCUSDT', {
      onBook: () => undefined,
      onTrade: (trade) => trades.push({ trade, at: clock.now() }),
    });

    const engine = new Engine({ clock, session: app });
    await engine.start();
    expect(app.snapshot().mode).toBe('paper');
    expect(app.venue.connectionState()).toBe('connected');
    // The simulated account's defaults, not the simulator's (1,000,000 USDT, 10 BTC).
    const start = Object.fromEntries(app.node.balances().map((b) => [b.asset, b.total]));
    expect(start).toMatchObject({ USDT: '100000', BTC: '0.1' });
    // Public data only: no authenticated stream was opened.
    expect(sim.connections()).toMatchObject({ private: 0, trade: 0 });

    expect((await engine.invoke('quoting.start', {})).ok).toBe(true);
    const desk = app.node.desk('BTCUSDT');
    await until('quotes resting in the simulated execution', () => desk.liveOn('buy') && desk.liveOn('sell'));
    expect(venueAccount().orders).toEqual([]);
    await until('three fills of our quotes', () => fills.length >= 3, 60_000);
    expect((await engine.invoke('quoting.stop', {})).ok).toBe(true);
    await until('quotes pulled', () => !desk.liveOn('buy') && !desk.liveOn('sell'));
    await engine.stop();
    offTape();
    await tape.disconnect();

    const inst = desk.instrument;
    // The maker rate of the Bybit listing (spot non-VIP, 0.1 %), charged on each fill's notional below.
    expect(inst.makerFee.toFixed()).toBe('0.001');
    // Nothing reached the venue: no order, and its account exactly as it was.
    expect(venueAccount()).toEqual(before);
    expectPaperSession({ inst, fills, trades, dataDir, venueId: 'paper-bybit' });
  }, 90_000);

  it('the host offers PAPER with the configured endpoints and connects it with no saved key', async () => {
    const clock = new WallClock();
    const station = new Workstation({
      clock,
      base: { dataDir: tempDir(), seed: 2 },
      secrets: new MemorySecretStore(clock),
      bybit: { restUrl: sim.rest, wsUrl: sim.ws },
    });
    const engine = new Engine({ clock, session: station });
    await engine.start();
    const choices = await engine.invoke('venue.choices', {});
    expect(choices.ok).toBe(true);
    expect((choices as { value: VenueChoices }).value.paper.bybit).toEqual({
      env: 'mainnet',
      restUrl: sim.rest,
      wsUrl: sim.ws,
    });

    const connected = await engine.invoke('venue.connect', { venue: 'paper', symbols: ['BTCUSDT'] });
    expect(connected).toMatchObject({ ok: true, value: { venue: 'paper-bybit', mode: 'paper' } });
    // The header's link: the data's environment (drawn as paper, not as a mainnet account).
    await until('the paper session on the stream', () => engine.state().mode === 'paper');
    expect(station.snapshot().link).toMatchObject({ env: 'mainnet', category: 'spot', error: null });
    const now = await engine.invoke('venue.choices', {});
    expect((now as { value: VenueChoices }).value.current).toEqual({
      venue: 'paper',
      env: 'mainnet',
      category: 'spot',
      source: 'bybit',
      symbols: ['BTCUSDT'],
    });
    await until('the book from the simulator', () => engine.state().book.bids.length > 0);
    await engine.stop();
  }, 60_000);
});
