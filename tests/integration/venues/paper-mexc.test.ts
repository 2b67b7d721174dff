/**
 * Paper trading on MEXC data: a whole session on `paper:mexc` against the local MEXC protocol
 * simulator, on the wall clock and real loopback sockets. The simulator is only the market data
 * here: our quotes rest in the simulated execution, fill from the simulator's public trades and book
 * through the queue model and the latency, and nothing reaches the simulator's account; no key is
 * held or used.
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
import type { Trade } from '../../../engine/market/types.ts';
import { startMexcSim, type MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { MexcMarketData } from '../../../engine/venues/mexc/market-data.ts';
import { mexcTradingConfig, until } from './mexc-harness.ts';
import { expectPaperSession, type SeenFill } from './paper-checks.ts';

const KEY = 'it-mexc-paper-key-0001';
const SECRET = 'it-mexc-paper-secret-0123456789';

let sim: MexcSim;
const dirs: string[] = [];

beforeAll(async () => {
  // A busier tape than the default, so a few fills come within seconds despite the risk-averse queue.
  sim = await startMexcSim({ apiKey: KEY, apiSecret: SECRET, seed: 17, flow: { marketRate: 20 } });
});

afterAll(async () => {
  await sim.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmws-paper-mexc-'));
  dirs.push(dir);
  return dir;
}

/** The simulator's own account, as it started: nothing of ours may ever change it. */
function venueAccount() {
  return { orders: sim.openOrders(), balances: sim.balances() };
}

describe('paper trading on MEXC data against the MEXC simulator', () => {
  it('quotes in simulated execution, fills from public trades with latency, keeps practice records, sends nothing to the venue', async () => {
    const before = venueAccount();
    expect(before.orders).toEqual([]);
    const dataDir = tempDir();
    const clock = new WallClock();
    const app = new TradingApp(
      {
        dataDir,
        seed: 1,
        venue: { kind: 'paper', source: 'mexc' },
        symbols: ['BTCUSDT'],
        // The same sizes and limits as the live MEXC tests (see mexcTradingConfig).
        config: mexcTradingConfig,
        // The simulator's endpoints; no key.
        venueContext: { transport: { restUrl: sim.rest, wsUrl: sim.ws } },
      },
      clock,
    );
    expect(app.venue).toMatchObject({ id: 'paper-mexc', kind: 'paper' });
    const fills: SeenFill[] = [];
    app.node.bus.subscribe('fill.applied', (e) =>
      fills.push({ fill: e.fill, order: e.order, at: clock.now() }),
    );
    // The public tape as a bystander sees it, to tell what each fill came from.
    const tape = new MexcMarketData({ clock, restUrl: sim.rest, wsUrl: sim.ws });
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
    // Public data only: no listenKey connection was opened.
    expect(sim.connections()).toMatchObject({ private: 0 });
    expect(sim.connections().public).toBeGreaterThan(0);
    // The instrument is MEXC's listing as the simulator prints it.
    const desk = app.node.desk('BTCUSDT');
    expect(desk.instrument.tickSize.toFixed()).toBe('0.01');
    expect(desk.instrument.lotSize.toFixed()).toBe('0.000001');

    expect((await engine.invoke('quoting.start', {})).ok).toBe(true);
    await until('quotes resting in the simulated execution', () => desk.liveOn('buy') && desk.liveOn('sell'));
    expect(venueAccount().orders).toEqual([]);
    await until('three fills of our quotes', () => fills.length >= 3, 60_000);
    expect(venueAccount().orders).toEqual([]);
    expect(sim.connections()).toMatchObject({ private: 0 });
    expect((await engine.invoke('quoting.stop', {})).ok).toBe(true);
    await until('quotes pulled', () => !desk.liveOn('buy') && !desk.liveOn('sell'));
    await engine.stop();
    offTape();
    await tape.disconnect();

    const inst = desk.instrument;
    // MEXC's listed spot rates: no maker fee.
    expect(inst.makerFee.toFixed()).toBe('0');
    // Nothing reached the venue: no order, and its account exactly as it was.
    expect(venueAccount()).toEqual(before);
    expectPaperSession({ inst, fills, trades, dataDir, venueId: 'paper-mexc' });
  }, 90_000);

  it('the host offers PAPER on MEXC with the configured endpoints and connects it with no saved key', async () => {
    const clock = new WallClock();
    const station = new Workstation({
      clock,
      base: { dataDir: tempDir(), seed: 2 },
      secrets: new MemorySecretStore(clock),
      mexc: { restUrl: sim.rest, wsUrl: sim.ws },
    });
    const engine = new Engine({ clock, session: station });
    await engine.start();
    const choices = await engine.invoke('venue.choices', {});
    expect(choices.ok).toBe(true);
    const offered = (choices as { value: VenueChoices }).value;
    expect(offered.paper.mexc).toEqual({ restUrl: sim.rest, wsUrl: sim.ws });
    expect(offered.mexc.credentials.exists).toBe(false);

    const connected = await engine.invoke('venue.connect', {
      venue: 'paper',
      source: 'mexc',
      symbols: ['BTCUSDT'],
    });
    expect(connected).toMatchObject({ ok: true, value: { venue: 'paper-mexc', mode: 'paper' } });
    await until('the paper session on the stream', () => engine.state().mode === 'paper');
    expect(station.snapshot().link).toMatchObject({
      env: null,
      category: 'spot',
      source: 'mexc',
      error: null,
    });
    const now = await engine.invoke('venue.choices', {});
    expect((now as { value: VenueChoices }).value.current).toMatchObject({
      venue: 'paper',
      source: 'mexc',
      symbols: ['BTCUSDT'],
    });
    await until('the book from the simulator', () => engine.state().book.bids.length > 0);
    expect(sim.connections()).toMatchObject({ private: 0 });
    expect(sim.openOrders()).toEqual([]);
    await engine.stop();
  }, 60_000);
});
