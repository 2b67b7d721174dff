import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WallClock } from '../../../engine/core/clock.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import type { BookMessage } from '../../../engine/market/types.ts';
import { startMexcSim, type MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { MexcMarketData } from '../../../engine/venues/mexc/market-data.ts';
import { MexcVenue } from '../../../engine/venues/mexc/mexc-venue.ts';
import type { ExecutionEvent, PlaceRequest } from '../../../engine/venues/venue.ts';
import { until } from './bybit-harness.ts';

/** The MEXC adapter against the MEXC protocol simulator: real HTTP, real WebSockets, wall clock. */

const CREDS = { apiKey: 'mx0-test-key', apiSecret: 'mx0-test-secret' };
const socket = { pingIntervalMs: 5000, backoff: { baseMs: 20, maxMs: 200 }, random: () => 0.5 };

let sim: MexcSim;
let venue: MexcVenue;
let events: ExecutionEvent[];

beforeEach(async () => {
  sim = await startMexcSim({ ...CREDS, seed: 7 });
  venue = new MexcVenue({
    clock: new WallClock(),
    credentials: CREDS,
    restUrl: sim.rest,
    wsUrl: sim.ws,
    timeoutMs: 2000,
    socket,
  });
  events = [];
  venue.onExecution((e) => events.push(e));
  await venue.connect();
});

afterEach(async () => {
  await venue.disconnect();
  await sim.close();
});

// BTCUSDT on the simulator: tick 0.01, lot 0.000001, trading near 65000.
function bid(over: Partial<PlaceRequest> = {}): PlaceRequest {
  return {
    symbol: 'BTCUSDT',
    clientId: 'q1',
    side: 'buy',
    type: 'limit',
    timeInForce: 'post_only',
    price: 6_000_000 as Ticks, // 60000.00
    size: 1000 as Lots, // 0.001
    ...over,
  };
}

describe('MexcVenue on the simulator', () => {
  it('connects with the clock synced, the listing loaded and both streams up', async () => {
    expect(venue.connectionState()).toBe('connected');
    const symbols = (await venue.instruments()).map((s) => s.symbol);
    expect(symbols).toContain('BTCUSDT');
    expect(symbols).not.toContain('LUNAUSDT'); // paused
    const link = venue.linkInfo();
    expect(Math.abs(link.clockOffsetMs)).toBeLessThan(1000);
    expect(link.rateLimit).toBeGreaterThan(0);
    expect(link.dcp).toBe(false);
    expect(venue.capabilities.amend).toBe(false);
  });

  it('places a post-only bid, sees it on the stream and in open orders alike, and cancels it', async () => {
    const placed = await venue.placeOrder(bid());
    expect(placed).toMatchObject({ ok: true, value: { clientId: 'q1' } });
    await until('the new order on the stream', () =>
      events.some((e) => e.type === 'order' && e.status === 'new'),
    );
    const open = await venue.openOrders();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      clientId: 'q1',
      status: 'new',
      price: 6_000_000,
      size: 1000,
      filled: 0,
      timeInForce: 'post_only',
    });
    const pushed = events.find((e) => e.type === 'order' && e.status === 'new');
    expect(pushed && pushed.type === 'order' ? pushed.updateSeq : -1).toBe(open[0]!.updateSeq);
    const cancelled = await venue.cancelOrder({ symbol: 'BTCUSDT', clientId: 'q1' });
    expect(cancelled).toMatchObject({
      ok: true,
      value: { clientId: 'q1', venueOrderId: placed.ok ? placed.value.venueOrderId : '' },
    });
    await until('the cancel on the stream', () =>
      events.some((e) => e.type === 'order' && e.status === 'cancelled'),
    );
    expect(await venue.openOrders('BTCUSDT')).toEqual([]);
    expect(await venue.cancelOrder({ symbol: 'BTCUSDT', clientId: 'q1' })).toMatchObject({
      ok: false,
      code: 'unknown_order',
    });
  });

  it('fills a market order: the fill on the stream, in executionsSince and in the balances', async () => {
    const since = Date.now() - 1000;
    const before = (await venue.balances()).find((b) => b.asset === 'BTC')!;
    const r = await venue.placeOrder(
      bid({ clientId: 'm1', type: 'market', timeInForce: 'ioc', price: undefined, size: 1000 as Lots }),
    );
    expect(r.ok).toBe(true);
    await until('the fill on the stream', () => events.some((e) => e.type === 'fill'));
    const fills = await venue.executionsSince(since);
    expect(fills).toHaveLength(1);
    const pushed = events.find((e) => e.type === 'fill');
    expect(fills[0]).toEqual(pushed);
    expect(fills[0]).toMatchObject({ clientId: 'm1', side: 'buy', size: 1000, liquidity: 'taker' });
    await until(
      'the balance to move',
      async () => (await venue.balances()).find((b) => b.asset === 'BTC')!.total !== before.total,
    );
  });

  it('refuses locally what MEXC would refuse: a paused or malformed symbol, an amend', async () => {
    expect(await venue.placeOrder(bid({ symbol: 'LUNAUSDT' }))).toMatchObject({
      ok: false,
      code: 'invalid_order',
      message: expect.stringMatching(/paused/) as unknown,
    });
    expect(await venue.placeOrder(bid({ symbol: 'btc_usdt' }))).toMatchObject({
      ok: false,
      code: 'invalid_order',
    });
    expect(await venue.placeOrder(bid({ price: undefined, timeInForce: 'gtc' }))).toMatchObject({
      ok: false,
      code: 'invalid_order',
    });
    expect(await venue.amendOrder({ symbol: 'BTCUSDT', clientId: 'q1', price: 1 as Ticks })).toMatchObject({
      ok: false,
      code: 'unsupported',
    });
    expect(() => venue.subscribeMarket('NOPEUSDT', { onBook: () => {}, onTrade: () => {} })).toThrow(
      /lists no spot symbol/,
    );
  });

  it('tells the venue’s refusals by their code, and an unknown outcome as venue_unavailable', async () => {
    sim.faults.refuseNext('POST /api/v3/order', 1, 30004, 'Insufficient position');
    expect(await venue.placeOrder(bid({ clientId: 'r1' }))).toEqual({
      ok: false,
      code: 'insufficient_funds',
      message: 'MEXC 30004: Insufficient position',
    });
    sim.faults.refuseNext('POST /api/v3/order', 1, 500, 'internal error', 503);
    expect(await venue.placeOrder(bid({ clientId: 'r2' }))).toMatchObject({
      ok: false,
      code: 'venue_unavailable',
    });
    sim.faults.refuseNext('POST /api/v3/order', 1, 429, 'Too many requests', 429);
    expect(await venue.placeOrder(bid({ clientId: 'r3' }))).toMatchObject({
      ok: false,
      code: 'rate_limited',
    });
  });

  it('resyncs the clock on 700003 and the order goes through', async () => {
    sim.faults.refuseNext(
      'POST /api/v3/order',
      1,
      700003,
      'Timestamp for this request is outside of the recvWindow.',
    );
    const before = venue.rest.lastSyncAt()!;
    expect(await venue.placeOrder(bid({ clientId: 't1' }))).toMatchObject({ ok: true });
    expect(venue.rest.lastSyncAt()!).toBeGreaterThanOrEqual(before);
    expect((await venue.openOrders('BTCUSDT')).map((o) => o.clientId)).toEqual(['t1']);
  });

  it('answers a create that never came back as venue_unavailable; the order is found by reconciliation', async () => {
    sim.faults.timeoutCreates(1, 300);
    expect(await venue.placeOrder(bid({ clientId: 'lost1' }))).toMatchObject({
      ok: false,
      code: 'venue_unavailable',
    });
    expect((await venue.openOrders()).map((o) => o.clientId)).toEqual(['lost1']);
    expect(await venue.cancelAll('BTCUSDT')).toEqual({ ok: true, value: { cancelled: 1 } });
  });

  it('streams the book: a snapshot first, then deltas', async () => {
    const book: BookMessage[] = [];
    const off = venue.subscribeMarket('BTCUSDT', { onBook: (m) => book.push(m), onTrade: () => {} });
    await until('a delta after the snapshot', () => book.some((m) => m.kind === 'delta'));
    expect(book[0]!.kind).toBe('snapshot');
    off();
  });
});

describe('MexcMarketData on the simulator', () => {
  it('reads the listing and the book with no key', async () => {
    const data = new MexcMarketData({ clock: new WallClock(), restUrl: sim.rest, wsUrl: sim.ws, socket });
    try {
      await data.connect();
      expect(data.connectionState()).toBe('connected');
      expect((await data.instruments()).map((s) => s.symbol)).toContain('ETHUSDT');
      const book: BookMessage[] = [];
      data.subscribeMarket('ETHUSDT', { onBook: (m) => book.push(m), onTrade: () => {} });
      await until('an ETHUSDT snapshot', () => book.some((m) => m.kind === 'snapshot'));
    } finally {
      await data.disconnect();
    }
  });
});
