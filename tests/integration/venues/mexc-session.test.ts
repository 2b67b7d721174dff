/**
 * A whole trading session through the MEXC adapter against the local protocol simulator, on the wall
 * clock and real loopback sockets: both quotes resting, one of them taken by another trader, the kill
 * switch, and a restart on the same journal that reconciles to the venue's account exactly after an
 * order of ours filled and another was left resting while the node was stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../engine/api/contract.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { startMexcSim, type MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { databaseFile, openDatabase } from '../../../engine/store/database.ts';
import type { MexcRest } from '../../../engine/venues/mexc/rest-client.ts';
import {
  BTC_AT_START,
  btcAtVenue,
  mexcApp,
  mexcClient,
  openAtVenue,
  takeOurBid,
  touch,
  until,
} from './mexc-harness.ts';

const KEY = 'it-mexc-session-key-0001';
const SECRET = 'it-mexc-session-secret-0123456789';
/** Another trader on the same venue, who takes our bid. */
const TAKER = { apiKey: 'it-mexc-session-taker-01', apiSecret: 'it-mexc-session-taker-secret-0123' };

let sim: MexcSim;
let taker: MexcRest;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startMexcSim({ apiKey: KEY, apiSecret: SECRET, seed: 11 });
  sim.addAccount(TAKER.apiKey, TAKER.apiSecret);
  taker = await mexcClient(sim, TAKER);
});

afterAll(async () => {
  await sim.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function session(dataDir: string) {
  const app = mexcApp(sim, { apiKey: KEY, apiSecret: SECRET }, { dataDir });
  const engine = new Engine({ clock: app.node.clock, session: app });
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return { app, engine, events };
}

describe('a whole session through the MEXC adapter against the simulator', () => {
  it('quotes both sides, fills, kills to zero open orders, and reconciles exactly after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mmws-mexc-'));
    dirs.push(dataDir);
    const first = session(dataDir);
    await first.engine.start();
    expect(first.app.venue).toMatchObject({ id: 'mexc', kind: 'mexc' });
    expect(first.app.venue.connectionState()).toBe('connected');
    expect(first.app.snapshot().mode).toBe('live');

    // The header's link: the clock offset measured at connect, the tightest request window, no DCP;
    // what the venue reports, carried into the snapshot.
    const link = first.app.snapshot().link;
    const info = first.app.venue.linkInfo!();
    expect(link).toMatchObject({
      clockOffsetMs: info.clockOffsetMs,
      rateLimit: info.rateLimit,
      dcp: false,
      error: null,
    });
    expect(Math.abs(link.clockOffsetMs!)).toBeLessThan(1000);
    expect(link.rateLimit).toBeGreaterThan(0);
    expect(link.rateHeadroom).toBeGreaterThanOrEqual(0);
    expect(link.rateHeadroom).toBeLessThanOrEqual(link.rateLimit!);

    expect((await first.engine.invoke('quoting.start', {})).ok).toBe(true);
    const sidesAtVenue = () => new Set(sim.openOrders(KEY).map((o) => String(o['side'])));
    await until('a bid and an ask resting at the venue', () => {
      const sides = sidesAtVenue();
      return sides.has('BUY') && sides.has('SELL');
    });
    // Post-only quotes reach MEXC as LIMIT_MAKER orders (it has no timeInForce), on its price grid.
    for (const o of sim.openOrders(KEY)) {
      expect(o['type']).toBe('LIMIT_MAKER');
      expect(String(o['price'])).toMatch(/^\d+(\.\d{1,2})?$/);
    }

    // Another trader sells into our bid: the fill comes back on the user stream.
    const taken = await takeOurBid(sim, taker, KEY);
    await until('the fill of our bid', () =>
      first.events.some((e) => e.name === 'fill.executed' && e.payload.clientId === taken),
    );
    const quoteFills = first.events.flatMap((e) =>
      e.name === 'fill.executed' && e.payload.clientId === taken ? [e.payload] : [],
    );
    // A resting quote taken by another trader: a maker fill, with MEXC's maker rate of zero.
    expect(quoteFills[0]).toMatchObject({ side: 'buy', liquidity: 'maker' });
    expect(new Decimal(quoteFills[0]!.fee).isZero()).toBe(true);

    // The kill switch: every order cancelled at the venue, the account halted.
    await until('quotes resting again', () => sim.openOrders(KEY).length >= 1);
    expect((await first.engine.invoke('risk.kill', {})).ok).toBe(true);
    await until('zero open orders at the venue', () => sim.openOrders(KEY).length === 0);
    await until(
      'no working order of ours',
      () => first.app.node.desk('BTCUSDT').oms.workingOrders().length === 0,
    );
    expect(first.app.snapshot().risk.tradingState).toBe('halted');
    // Halted means halted: no quote goes out again.
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.openOrders(KEY)).toEqual([]);
    const desk1 = first.app.node.desk('BTCUSDT');
    const firstPosition = desk1.portfolio.positionLots();
    expect(desk1.instrument.lotSize.mul(firstPosition).toFixed()).toBe(
      btcAtVenue(sim, KEY).minus(BTC_AT_START).toFixed(),
    );
    await first.engine.stop();

    // While we are away: an order of ours fills (an execution the node never hears of) and another
    // rests (an order no quote of ours owns).
    const us = await mexcClient(sim, { apiKey: KEY, apiSecret: SECRET });
    const { bid } = touch(sim);
    const away = '0.0003';
    const sold = await us.signedPost('/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'IMMEDIATE_OR_CANCEL',
      price: bid.mul('0.999').toDecimalPlaces(2).toFixed(2),
      quantity: away,
      newClientOrderId: 'away-sell-1',
    });
    expect(sold.ok).toBe(true);
    // What of it filled, as the venue records the order (an IOC may fill in parts, at several levels).
    const soldOrder = await us.signedGet('/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'away-sell-1',
    });
    expect(soldOrder.ok).toBe(true);
    const executed = (soldOrder.ok ? soldOrder.value : {}) as { executedQty?: string };
    const soldQty = new Decimal(executed.executedQty ?? '0');
    const resting = await us.signedPost('/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      price: bid.mul('0.9').toDecimalPlaces(2).toFixed(2),
      quantity: '0.001',
      newClientOrderId: 'away-rest-1',
    });
    expect(resting.ok).toBe(true);
    expect(openAtVenue(sim, KEY)).toEqual(['away-rest-1']);

    const second = session(dataDir);
    await second.engine.start();
    const desk = second.app.node.desk('BTCUSDT');
    // The kill switch survived the restart.
    expect(second.app.snapshot().risk.kill.engaged).toBe(true);
    expect(second.app.snapshot().risk.tradingState).toBe('halted');
    // Position: the first run's fills from the journal, plus the sell missed while away; exactly the
    // venue's BTC change.
    const awayLots = soldQty.div(desk.instrument.lotSize).toNumber();
    expect(awayLots).toBeGreaterThan(0);
    expect(desk.portfolio.positionLots()).toBe(firstPosition - awayLots);
    expect(desk.instrument.lotSize.mul(desk.portfolio.positionLots()).toFixed()).toBe(
      btcAtVenue(sim, KEY).minus(BTC_AT_START).toFixed(),
    );
    // Open orders by client id: the stranger cancelled by policy, ours and the venue's both empty.
    await until('the stranger cancelled', () => sim.openOrders(KEY).length === 0);
    await until('our records with no working order', () => desk.oms.workingOrders().length === 0);
    const rec = second.app.node.lastReconciliation();
    // The away sell may have filled at several levels; the stranger is one order.
    expect(rec?.missedFills).toBeGreaterThanOrEqual(1);
    expect(rec?.strangers).toBe(1);
    // Balances: exactly the venue's, free and total, as exact decimals.
    await second.app.node.reconcile('test');
    const ours = new Map(second.app.node.balances().map((b) => [b.asset, b]));
    for (const [asset, b] of Object.entries(sim.balances(KEY))) {
      const total = new Decimal(b.free).plus(b.locked);
      expect(new Decimal(ours.get(asset)?.total ?? '0').toFixed(), asset).toBe(total.toFixed());
      expect(new Decimal(ours.get(asset)?.free ?? '0').toFixed(), asset).toBe(new Decimal(b.free).toFixed());
    }
    await second.engine.stop();

    // Every fill the venue has of ours is in the journal exactly once.
    const trades = await us.signedGet('/api/v3/myTrades', { symbol: 'BTCUSDT', limit: 100 });
    expect(trades.ok).toBe(true);
    const venueIds = (trades.ok ? (trades.value as { id: unknown }[]) : []).map((t) => String(t.id)).sort();
    const db = openDatabase(databaseFile(dataDir, 'mexc-live'), { readonly: true });
    try {
      const stored = (db.prepare('SELECT exec_id FROM fills').all() as { exec_id: string }[]).map(
        (r) => r.exec_id,
      );
      expect(stored.sort()).toEqual(venueIds);
      expect(venueIds.length).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  }, 90_000);
});
