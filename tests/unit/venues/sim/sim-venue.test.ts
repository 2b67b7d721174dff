import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { Decimal } from '../../../../engine/core/decimal.ts';
import type { Lots, Ticks } from '../../../../engine/core/instrument.ts';
import type { BookMessage, Trade } from '../../../../engine/market/types.ts';
import { createDefaultSim } from '../../../../engine/venues/sim/default-sim.ts';
import type { SimLatencyConfig, SimVenue } from '../../../../engine/venues/sim/sim-venue.ts';
import type {
  ConnectionState,
  ExecutionEvent,
  Fill,
  OrderUpdate,
  PlaceRequest,
} from '../../../../engine/venues/venue.ts';
import { ReferenceBook } from './helpers.ts';

const SYM = 'BTCUSDT';
const L = (n: number): Lots => n as Lots;
const T = (n: number): Ticks => n as Ticks;

/** Runs the clock in small steps until the promise settles (a SimClock never moves by itself). */
async function settle<R>(clock: SimClock, p: Promise<R>, stepMs = 1, maxMs = 10_000): Promise<R> {
  const state: { done: boolean; failed: boolean; value?: R; error?: unknown } = {
    done: false,
    failed: false,
  };
  void p.then(
    (v) => {
      state.done = true;
      state.value = v;
    },
    (e: unknown) => {
      state.done = true;
      state.failed = true;
      state.error = e;
    },
  );
  for (let t = 0; t <= maxMs && !state.done; t += stepMs) {
    clock.advance(stepMs);
    await Promise.resolve();
    await Promise.resolve();
  }
  if (!state.done) throw new Error('request never settled');
  if (state.failed) throw state.error;
  return state.value as R;
}

async function started(
  seed = 1,
  latency: Partial<SimLatencyConfig> = { request: 10, response: 10, feed: 5 },
) {
  const clock = new SimClock();
  const venue = createDefaultSim(clock, seed, { latency });
  const events: ExecutionEvent[] = [];
  venue.onExecution((e) => events.push(e));
  await venue.connect();
  clock.advance(2000);
  return { clock, venue, events };
}

function limit(
  clientId: string,
  side: 'buy' | 'sell',
  price: number,
  size: number,
  tif: PlaceRequest['timeInForce'] = 'gtc',
): PlaceRequest {
  return { symbol: SYM, clientId, side, type: 'limit', timeInForce: tif, price: T(price), size: L(size) };
}

function touch(venue: SimVenue): { bid: number; ask: number } {
  const { engine } = venue.inspect(SYM);
  return { bid: engine.bestBid()!, ask: engine.bestAsk()! };
}

describe('SimVenue basics', () => {
  it('describes itself and its instruments', async () => {
    const venue = createDefaultSim(new SimClock(), 1);
    expect(venue.kind).toBe('sim');
    expect(Object.values(venue.capabilities).every(Boolean)).toBe(true);
    expect(await venue.instruments()).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', tickSize: '0.10', lotSize: '0.001', takerFee: '0.0006' }),
      expect.objectContaining({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.01', takerFee: '0.0006' }),
    ]);
  });

  it('reports connection changes and refuses requests while disconnected', async () => {
    const clock = new SimClock();
    const venue = createDefaultSim(clock, 1);
    const states: ConnectionState[] = [];
    venue.onConnection((s) => states.push(s));
    const r = await venue.placeOrder(limit('x1', 'buy', 640_000, 10));
    expect(r).toMatchObject({ ok: false, code: 'venue_unavailable' });
    await expect(venue.balances()).rejects.toThrow(/disconnected/);
    await venue.connect();
    expect(venue.connectionState()).toBe('connected');
    await venue.disconnect();
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('reports our balances as exact decimal strings', async () => {
    const { clock, venue } = await started();
    expect(await settle(clock, venue.balances())).toEqual([
      { asset: 'BTC', total: '10', free: '10' },
      { asset: 'ETH', total: '200', free: '200' },
      { asset: 'USDT', total: '1000000', free: '1000000' },
    ]);
    const { bid } = touch(venue);
    await settle(clock, venue.placeOrder(limit('b1', 'buy', bid - 500, 100)));
    const after = await settle(clock, venue.balances());
    const usdt = after.find((b) => b.asset === 'USDT')!;
    expect(usdt.total).toBe('1000000');
    // 0.1 BTC at (bid - 50.0) USDT plus the 0.06 % taker reserve.
    const reserve = new Decimal(bid - 500).mul('0.10').mul('0.1').mul('1.0006');
    expect(usdt.free).toBe(new Decimal(1_000_000).minus(reserve).toFixed());
  });
});

describe('SimVenue orders', () => {
  it('rejects invalid orders with invalid_order', async () => {
    const { clock, venue } = await started();
    const bad: PlaceRequest[] = [
      { ...limit('u1', 'buy', 640_000, 10), symbol: 'NOPEUSDT' },
      limit('u2', 'buy', 640_000, 0),
      limit('u3', 'buy', 640_000, 1.5),
      limit('u4', 'buy', 0, 10),
      limit('u5', 'buy', 640_000.5, 10),
      { ...limit('u6', 'buy', 640_000, 10), price: undefined },
      { symbol: SYM, clientId: 'u7', side: 'buy', type: 'market', timeInForce: 'post_only', size: L(1) },
      // 0.001 BTC at 1.0 USDT is below the 5 USDT minimum notional.
      limit('u8', 'buy', 10, 1),
    ];
    for (const req of bad) {
      expect(await settle(clock, venue.placeOrder(req))).toMatchObject({ ok: false, code: 'invalid_order' });
    }
    expect(await settle(clock, venue.openOrders())).toEqual([]);
  });

  it('delivers the ack only after the round trip, when the market has moved', async () => {
    const { clock, venue, events } = await started(3, { request: 40, response: 40, feed: 5 });
    const { engine } = venue.inspect(SYM);
    const fillsBefore = engine.fills();
    const { bid } = touch(venue);
    const sentAt = clock.now();
    let ackAt: number | undefined;
    const p = venue.placeOrder(limit('lat1', 'buy', bid - 300, 10)).then((r) => {
      ackAt = clock.now();
      return r;
    });
    clock.advance(79);
    await Promise.resolve();
    expect(ackAt).toBeUndefined();
    expect(events.filter((e) => e.clientId === 'lat1')).toEqual([]);
    const r = await settle(clock, p);
    expect(r.ok).toBe(true);
    expect(ackAt! - sentAt).toBeGreaterThanOrEqual(80);
    if (r.ok) expect(r.value.ts).toBe(sentAt + 40);
    // The market kept trading while the request and the answer travelled.
    expect(engine.fills()).toBeGreaterThan(fillsBefore);
    const update = events.find((e) => e.clientId === 'lat1') as OrderUpdate;
    expect(update).toMatchObject({ type: 'order', status: 'new', updateSeq: 1, ts: sentAt + 40 });
  });

  it('never lets a later message overtake an earlier one under jitter', async () => {
    const jitter = { baseMs: 5, jitterMs: 40 };
    const { clock, venue } = await started(4, { request: jitter, response: jitter, feed: jitter });
    const { bid } = touch(venue);
    const order: string[] = [];
    const ps: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      ps.push(
        venue.placeOrder(limit(`j${i}`, 'buy', bid - 1000 - i, 10)).then(() => {
          order.push(`j${i}`);
        }),
      );
    }
    await settle(clock, Promise.all(ps));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => `j${i}`));
    const open = await settle(clock, venue.openOrders(SYM));
    expect(open.map((o) => o.clientId).sort()).toEqual([...order].sort());
  });

  it('streams fills with unique execIds and increasing updateSeq, and answers reconciliation queries', async () => {
    const { clock, venue, events } = await started(5);
    const { bid, ask } = touch(venue);
    const t0 = clock.now();
    // A resting bid just below the touch gets hit by the background sellers over time.
    await settle(clock, venue.placeOrder(limit('m1', 'buy', bid, 400)));
    await settle(
      clock,
      venue.placeOrder({
        symbol: SYM,
        clientId: 't1',
        side: 'buy',
        type: 'market',
        timeInForce: 'ioc',
        size: L(300),
      }),
    );
    await settle(clock, venue.placeOrder(limit('m2', 'sell', ask + 2, 400)));
    clock.advance(30_000);
    const fills = events.filter((e): e is Fill => e.type === 'fill');
    expect(fills.length).toBeGreaterThan(2);
    expect(new Set(fills.map((f) => f.execId)).size).toBe(fills.length);
    expect(fills.some((f) => f.liquidity === 'maker')).toBe(true);
    expect(fills.some((f) => f.liquidity === 'taker')).toBe(true);
    const { engine } = venue.inspect(SYM);
    for (const f of fills) {
      expect(f.feeAsset).toBe('USDT');
      expect(f.fee).toMatch(/^\d+(\.\d+)?$/);
      // The text (reused while price, size and liquidity repeat) is always this execution's own fee.
      expect(f.fee).toBe(engine.fee(f.price, f.size, f.liquidity).toFixed());
    }
    const seqs = new Map<string, number>();
    for (const e of events) {
      if (e.type !== 'order') continue;
      expect(e.updateSeq).toBeGreaterThan(seqs.get(e.clientId) ?? 0);
      seqs.set(e.clientId, e.updateSeq);
    }
    const market = events.filter((e): e is OrderUpdate => e.type === 'order' && e.clientId === 't1').at(-1)!;
    expect(market.status).toBe('filled');
    expect(market.price).toBeUndefined();
    const since = await settle(clock, venue.executionsSince(t0, SYM));
    expect(since.map((f) => f.execId)).toEqual(fills.map((f) => f.execId));
    const open = await settle(clock, venue.openOrders());
    for (const o of open) expect(['new', 'partially_filled']).toContain(o.status);
  });

  it('refuses a client id while its order is open, however old, and forgets finished ones past the history limit', async () => {
    const clock = new SimClock();
    const venue = createDefaultSim(clock, 2, {
      latency: { request: 1, response: 1, feed: 1 },
      historyLimit: 3,
    });
    await venue.connect();
    const { bid } = touch(venue);
    expect((await settle(clock, venue.placeOrder(limit('keep', 'buy', bid - 900, 5)))).ok).toBe(true);
    for (let i = 0; i < 6; i++) {
      expect((await settle(clock, venue.placeOrder(limit(`x${i}`, 'buy', bid - 800, 5)))).ok).toBe(true);
      expect((await settle(clock, venue.cancelOrder({ symbol: SYM, clientId: `x${i}` }))).ok).toBe(true);
    }
    const reused = await settle(clock, venue.placeOrder(limit('keep', 'buy', bid - 900, 5)));
    expect(reused).toMatchObject({ ok: false, code: 'duplicate_client_id' });
    expect(await settle(clock, venue.placeOrder(limit('x5', 'buy', bid - 800, 5)))).toMatchObject({
      ok: false,
      code: 'duplicate_client_id',
    });
    // x0 finished and fell out of the last three: a venue with this history accepts it again.
    expect((await settle(clock, venue.placeOrder(limit('x0', 'buy', bid - 800, 5)))).ok).toBe(true);
  });

  it('remembers its last historyLimit executions, oldest first', async () => {
    const clock = new SimClock();
    const venue = createDefaultSim(clock, 3, {
      latency: { request: 1, response: 1, feed: 1 },
      historyLimit: 3,
    });
    const fills: Fill[] = [];
    venue.onExecution((e) => {
      if (e.type === 'fill') fills.push(e);
    });
    await venue.connect();
    for (let i = 0; i < 5; i++) {
      const { ask } = touch(venue);
      expect((await settle(clock, venue.placeOrder(limit(`f${i}`, 'buy', ask, 1, 'ioc')))).ok).toBe(true);
    }
    clock.advance(5);
    expect(fills).toHaveLength(5);
    const kept = await settle(clock, venue.executionsSince(0));
    // Read back from the venue's compact history, each is the very report that was streamed.
    expect(kept).toEqual(fills.slice(-3));
    expect(await settle(clock, venue.executionsSince(fills[4]!.ts + 1))).toEqual([]);
  });

  it("reports an order's state once per operation that changed it, after that operation's fills", async () => {
    const { clock, venue, events } = await started(9, { request: 5, response: 5, feed: 5 });
    venue.inspect(SYM).market.stop();
    const { bid, ask } = touch(venue);
    expect((await settle(clock, venue.placeOrder(limit('i1', 'buy', ask, 1, 'ioc')))).ok).toBe(true);
    expect((await settle(clock, venue.placeOrder(limit('g1', 'buy', bid - 500, 3)))).ok).toBe(true);
    clock.advance(20);
    const of = (id: string) =>
      events.filter((e) => e.clientId === id).map((e) => (e.type === 'fill' ? 'fill' : e.status));
    // An IOC that fills at once never reports itself 'new'; a resting order reports 'new' once.
    expect(of('i1')).toEqual(['fill', 'filled']);
    expect(of('g1')).toEqual(['new']);
    // Taking two levels at once: two fills, then one update.
    const { engine } = venue.inspect(SYM);
    const a0 = engine.bestAsk()!;
    const level2 = engine.depth('sell', 2)[1]![0];
    const want = engine.sizeAt('sell', a0) + 1;
    expect((await settle(clock, venue.placeOrder(limit('i2', 'buy', level2, want, 'ioc')))).ok).toBe(true);
    clock.advance(20);
    expect(of('i2').filter((x) => x !== 'fill')).toEqual(['filled']);
    expect(of('i2').at(-1)).toBe('filled');
  });

  it('publishes the depth changes of requests handled at one instant as one delta', async () => {
    const { clock, venue } = await started(10, { request: 5, response: 5, feed: 5 });
    venue.inspect(SYM).market.stop();
    clock.advance(50);
    const deltas: BookMessage[] = [];
    venue.subscribeMarket(SYM, { onBook: (m) => deltas.push(m), onTrade: () => {} });
    clock.advance(50);
    deltas.length = 0;
    const { bid } = touch(venue);
    const ps = [1, 2, 3].map((k) => venue.placeOrder(limit(`d${k}`, 'buy', bid - 700 - k, 1)));
    await settle(clock, Promise.all(ps));
    clock.advance(20);
    expect(deltas).toHaveLength(1);
    const d = deltas[0]!;
    expect(d.kind).toBe('delta');
    expect(d.bids.map(([p]) => p)).toEqual([bid - 701, bid - 702, bid - 703]);
  });

  it('amends, cancels and cancels all through the simulated link', async () => {
    const { clock, venue, events } = await started(6);
    const { bid } = touch(venue);
    await settle(clock, venue.placeOrder(limit('a1', 'buy', bid - 1000, 50)));
    await settle(clock, venue.placeOrder(limit('a2', 'buy', bid - 1001, 50)));
    await settle(clock, venue.placeOrder(limit('a3', 'buy', bid - 1002, 50)));
    const dup = await settle(clock, venue.placeOrder(limit('a1', 'buy', bid - 1000, 50)));
    expect(dup).toMatchObject({ ok: false, code: 'duplicate_client_id' });
    expect((await settle(clock, venue.amendOrder({ symbol: SYM, clientId: 'a1', size: L(20) }))).ok).toBe(
      true,
    );
    expect((await settle(clock, venue.cancelOrder({ symbol: SYM, clientId: 'a2' }))).ok).toBe(true);
    const again = await settle(clock, venue.cancelOrder({ symbol: SYM, clientId: 'a2' }));
    expect(again).toMatchObject({ ok: false, code: 'unknown_order' });
    const all = await settle(clock, venue.cancelAll(SYM));
    expect(all).toEqual({ ok: true, value: { cancelled: 2 } });
    clock.advance(100);
    const last = (id: string) =>
      events.filter((e): e is OrderUpdate => e.type === 'order' && e.clientId === id).at(-1);
    expect(last('a1')).toMatchObject({ status: 'cancelled', reason: 'user', size: 20 });
    expect(last('a2')).toMatchObject({ status: 'cancelled', reason: 'user' });
    expect(await settle(clock, venue.openOrders())).toEqual([]);
    const post = await settle(
      clock,
      venue.placeOrder(limit('p1', 'buy', touch(venue).ask + 10, 10, 'post_only')),
    );
    expect(post).toMatchObject({ ok: false, code: 'post_only_would_take' });
    const rich = await settle(clock, venue.placeOrder(limit('f1', 'buy', bid - 1000, 100_000)));
    expect(rich).toMatchObject({ ok: false, code: 'insufficient_funds' });
  });

  it('drops executions of an old connection and resends a snapshot on reconnect', async () => {
    const { clock, venue, events } = await started(7);
    const books: BookMessage[] = [];
    venue.subscribeMarket(SYM, { onBook: (m) => books.push(m), onTrade: () => {} });
    clock.advance(100);
    expect(books[0]?.kind).toBe('snapshot');
    const { bid } = touch(venue);
    const p = venue.placeOrder(limit('d1', 'buy', bid - 1000, 10));
    clock.advance(15); // the request reached the venue; the answer is on its way
    await venue.disconnect();
    const n = events.length;
    const r = await settle(clock, p);
    expect(r.ok).toBe(true);
    expect(events.length).toBe(n);
    const before = books.length;
    clock.advance(1000);
    expect(books.length).toBe(before);
    await venue.connect();
    clock.advance(100);
    expect(books[before]?.kind).toBe('snapshot');
    expect((await settle(clock, venue.openOrders())).map((o) => o.clientId)).toEqual(['d1']);
  });
});

describe('SimVenue market data', () => {
  it('streams L2 that, applied to a reference book, reproduces the matching book exactly', async () => {
    const { clock, venue } = await started(8, {
      request: 10,
      response: 10,
      feed: { baseMs: 3, jitterMs: 6 },
    });
    const ref = new ReferenceBook();
    let lastSeq = -1;
    const trades: Trade[] = [];
    venue.subscribeMarket(SYM, {
      onBook: (m) => {
        if (m.kind === 'snapshot') ref.reset(m.bids, m.asks);
        else {
          expect(m.seq).toBe(lastSeq + 1);
          expect(m.prevSeq).toBe(lastSeq);
          ref.apply(m.bids, m.asks);
        }
        lastSeq = m.seq;
      },
      onTrade: (t) => trades.push(t),
    });
    const { bid } = touch(venue);
    await settle(clock, venue.placeOrder(limit('r1', 'buy', bid, 200)));
    clock.advance(20_000);
    const { engine, market } = venue.inspect(SYM);
    market.stop();
    clock.advance(50);
    expect(ref.levels('buy')).toEqual(engine.depth('buy'));
    expect(ref.levels('sell')).toEqual(engine.depth('sell'));
    expect(ref.levels('buy').length).toBeGreaterThan(10);
    expect(trades.length).toBeGreaterThan(100);
    expect(new Set(trades.map((t) => t.aggressor))).toEqual(new Set(['buy', 'sell']));
    const ids = trades.map((t) => Number(t.tradeId));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('is deterministic: same seed and same actions give the same tape and fills', async () => {
    async function run(seed: number) {
      const { clock, venue, events } = await started(seed, {
        request: { baseMs: 5, jitterMs: 10 },
        response: { baseMs: 5, jitterMs: 10 },
        feed: { baseMs: 2, jitterMs: 4 },
      });
      const tape: string[] = [];
      venue.subscribeMarket(SYM, {
        onBook: () => {},
        onTrade: (t) => tape.push(`${t.ts}:${t.price}:${t.size}:${t.aggressor}`),
      });
      for (let i = 0; i < 10; i++) {
        const { bid, ask } = touch(venue);
        void venue.placeOrder(limit(`q${i}b`, 'buy', bid, 30));
        void venue.placeOrder(limit(`q${i}s`, 'sell', ask, 30));
        clock.advance(1000);
      }
      const fills = events
        .filter((e): e is Fill => e.type === 'fill')
        .map((f) => `${f.execId}:${f.ts}:${f.price}:${f.size}:${f.fee}`);
      return { tape, fills };
    }
    const a = await run(21);
    const b = await run(21);
    const c = await run(22);
    expect(a.fills.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(c.tape).not.toEqual(a.tape);
  });
});
