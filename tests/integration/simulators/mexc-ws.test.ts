import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import type { AggreDepths } from '../../../engine/venues/mexc/proto/codec.ts';
import { int64 } from '../../../engine/venues/mexc/proto/codec.ts';
import type { Frame } from './mexc-client.ts';
import { DEPTH_BTC, MexcWs, publicGet, sleep, startSim, waitFor } from './mexc-client.ts';

let sim: MexcSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

type Snapshot = { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };

/** A subscription refusal (B9's text). */
function isRefusal(f: Frame): boolean {
  const msg: unknown = f.json?.msg;
  return typeof msg === 'string' && msg.startsWith('Not Subscribed');
}

/** A book kept as B9 says: a REST snapshot, then the pushes that continue it, absolute sizes. */
class LocalBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  version = 0;
  /** The book as it stood at each version a push ended on. */
  readonly history = new Map<number, { bids: [string, string][]; asks: [string, string][] }>();

  constructor(snapshot: Snapshot) {
    for (const [p, q] of snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.asks.set(p, q);
    this.version = snapshot.lastUpdateId;
    this.record();
  }

  /** Applies a push; false when it is stale (skipped). Throws on a gap. */
  apply(depth: AggreDepths): boolean {
    const from = Number(depth.fromVersion);
    const to = Number(depth.toVersion);
    if (to <= this.version) return false;
    if (from > this.version + 1) throw new Error(`gap: have ${this.version}, push from ${from}`);
    for (const { price, quantity } of depth.bids) this.set(this.bids, price, quantity);
    for (const { price, quantity } of depth.asks) this.set(this.asks, price, quantity);
    this.version = to;
    this.record();
    return true;
  }

  top(n: number): { bids: [string, string][]; asks: [string, string][] } {
    const sorted = (m: Map<string, string>, desc: boolean): [string, string][] =>
      [...m.entries()]
        .sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])))
        .slice(0, n);
    return { bids: sorted(this.bids, true), asks: sorted(this.asks, false) };
  }

  private set(side: Map<string, string>, price: string, quantity: string): void {
    if (Number(quantity) === 0) side.delete(price);
    else side.set(price, quantity);
  }

  private record(): void {
    this.history.set(this.version, this.top(20));
  }
}

describe('MEXC simulator depth: REST and WebSocket share one version chain', () => {
  it('pushes contiguous versions that continue the REST book, and the book they build matches REST', async () => {
    const ws = await MexcWs.open(sim.ws);
    await ws.subscribe(DEPTH_BTC);
    await ws.push(DEPTH_BTC);
    const snapshot = (await publicGet(sim, '/api/v3/depth?symbol=BTCUSDT&limit=1000')).body;
    await waitFor(() => ws.pushes(DEPTH_BTC).length >= 12, 10_000, 'a dozen depth pushes');

    const pushes = ws.pushes(DEPTH_BTC);
    for (let i = 1; i < pushes.length; i++) {
      const prev = pushes[i - 1]!.publicAggreDepths!;
      const cur = pushes[i]!.publicAggreDepths!;
      expect(Number(cur.fromVersion)).toBe(Number(prev.toVersion) + 1);
      expect(Number(cur.toVersion)).toBeGreaterThanOrEqual(Number(cur.fromVersion));
    }
    // The snapshot is one of the pushes' toVersions: some push ends exactly on it.
    const tos = pushes.map((p) => Number(p.publicAggreDepths!.toVersion));
    expect(tos).toContain(snapshot.lastUpdateId);

    const book = new LocalBook(snapshot as Snapshot);
    let applied = 0;
    for (const p of pushes) if (book.apply(p.publicAggreDepths!)) applied++;
    expect(applied).toBeGreaterThan(5);

    // A later snapshot equals the book the pushes built at the same version.
    const later = (await publicGet(sim, '/api/v3/depth?symbol=BTCUSDT&limit=20')).body;
    await waitFor(
      () => {
        for (const p of ws.pushes(DEPTH_BTC)) book.apply(p.publicAggreDepths!);
        return book.version >= later.lastUpdateId;
      },
      5000,
      'the pushes to reach the later snapshot',
    );
    expect(book.history.get(later.lastUpdateId as number)).toEqual({ bids: later.bids, asks: later.asks });
    ws.close();
  });

  it('decodes every push with decodePush and fills the wrapper fields', async () => {
    const ws = await MexcWs.open(sim.ws);
    await ws.subscribe(DEPTH_BTC);
    const push = await ws.push(DEPTH_BTC);
    expect(push.body).toBe('publicAggreDepths');
    expect(push.symbol).toBe('BTCUSDT');
    expect(Math.abs(int64(push.sendTime) - Date.now())).toBeLessThan(2000);
    const depth = push.publicAggreDepths!;
    expect(depth.eventType).toBe('spot@public.aggre.depth.v3.api.pb@100ms');
    for (const item of [...depth.bids, ...depth.asks]) {
      expect(item.price).toMatch(/^\d+\.\d{2}$/);
      expect(item.quantity).toMatch(/^(0|\d+\.\d{6})$/);
    }
    expect(ws.frames.some((f) => f.decodeError !== undefined)).toBe(false);
    ws.close();
  });

  it('serves the 10 ms depth stream with the same counter', async () => {
    const fast = 'spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT';
    const ws = await MexcWs.open(sim.ws);
    await ws.subscribe(fast);
    await waitFor(() => ws.pushes(fast).length >= 3, 5000, 'fast pushes');
    const [a, b] = ws.pushes(fast).map((p) => p.publicAggreDepths!);
    expect(Number(b!.fromVersion)).toBe(Number(a!.toVersion) + 1);
    const rest = (await publicGet(sim, '/api/v3/depth?symbol=BTCUSDT&limit=1')).body;
    expect(rest.lastUpdateId).toBeGreaterThanOrEqual(Number(a!.toVersion));
    ws.close();
  });
});

describe('MEXC simulator public channels', () => {
  it('pushes trades, the book ticker and partial depth', async () => {
    const deals = 'spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT';
    const ticker = 'spot@public.aggre.bookTicker.v3.api.pb@100ms@BTCUSDT';
    const limit = 'spot@public.limit.depth.v3.api.pb@BTCUSDT@5';
    const ws = await MexcWs.open(sim.ws);
    await ws.subscribe(deals, ticker, limit);

    const t = (await ws.push(ticker)).publicAggreBookTicker!;
    expect(Number(t.bidPrice)).toBeLessThan(Number(t.askPrice));
    expect(t.bidQuantity).toMatch(/^\d+\.\d{6}$/);

    const l = (await ws.push(limit)).publicLimitDepths!;
    expect(l.bids.length).toBeLessThanOrEqual(5);
    expect(l.bids.length).toBeGreaterThan(0);
    expect(l.eventType).toBe('spot@public.limit.depth.v3.api.pb');
    expect(Number(l.version)).toBeGreaterThan(0);

    const d = (await ws.push(deals, 10_000)).publicAggreDeals!;
    expect(d.eventType).toBe('spot@public.aggre.deals.v3.api.pb@100ms');
    expect(d.deals.length).toBeGreaterThan(0);
    for (const deal of d.deals) {
      expect([1, 2]).toContain(deal.tradeType);
      expect(deal.price).toMatch(/^\d+\.\d{2}$/);
      expect(Math.abs(int64(deal.time) - Date.now())).toBeLessThan(5000);
    }
    ws.close();
  });

  it('answers PING and ping with PONG, echoing the id', async () => {
    const ws = await MexcWs.open(sim.ws);
    ws.send({ method: 'PING' });
    expect((await ws.take((f) => f.json?.msg === 'PONG')).json).toEqual({ id: 0, code: 0, msg: 'PONG' });
    ws.send({ method: 'ping', id: 7 });
    expect((await ws.take((f) => f.json?.msg === 'PONG')).json).toEqual({ id: 7, code: 0, msg: 'PONG' });
    ws.close();
  });

  it('refuses channels it does not serve with the venue text and subscribes the rest', async () => {
    const ws = await MexcWs.open(sim.ws);
    const bad = [
      'spot@public.miniTicker.v3.api@BTCUSDT@UTC+0',
      'spot@public.aggre.depth.v3.api.pb@100ms@DOGEUSDT',
    ];
    ws.send({ method: 'SUBSCRIPTION', params: [...bad, DEPTH_BTC], id: 3 });
    expect((await ws.take((f) => f.json?.msg === DEPTH_BTC)).json).toEqual({
      id: 3,
      code: 0,
      msg: DEPTH_BTC,
    });
    const refusal = await ws.take(isRefusal);
    expect(refusal.json.msg).toBe(`Not Subscribed successfully! [${bad.join(',')}].  Reason： Blocked!`);
    // A private channel needs a listen-key connection.
    ws.send({ method: 'SUBSCRIPTION', params: ['spot@private.orders.v3.api.pb'] });
    const priv = await ws.take(isRefusal);
    expect(priv.json.msg).toContain('[spot@private.orders.v3.api.pb]');
    ws.close();
  });

  it('stops a channel on UNSUBSCRIPTION', async () => {
    const ws = await MexcWs.open(sim.ws);
    await ws.subscribe(DEPTH_BTC);
    await ws.push(DEPTH_BTC);
    ws.send({ method: 'UNSUBSCRIPTION', params: [DEPTH_BTC] });
    await ws.take((f) => f.json?.msg === DEPTH_BTC);
    await sleep(50);
    const count = ws.pushes(DEPTH_BTC).length;
    await sleep(400);
    expect(ws.pushes(DEPTH_BTC).length).toBe(count);
    ws.close();
  });
});

describe('MEXC simulator connection limits', () => {
  let strict: MexcSim;
  beforeAll(async () => {
    strict = await startSim({
      ws: { maxSubscriptions: 3, maxMessagesPerSecond: 10, noSubscriptionMs: 300, idleMs: 500 },
    });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('takes at most the subscription limit per connection', async () => {
    const ws = await MexcWs.open(strict.ws);
    const channels = [5, 10, 20].map((n) => `spot@public.limit.depth.v3.api.pb@BTCUSDT@${n}`);
    await ws.subscribe(...channels);
    const extra = 'spot@public.limit.depth.v3.api.pb@ETHUSDT@5';
    ws.send({ method: 'SUBSCRIPTION', params: [extra] });
    const refusal = await ws.take(isRefusal);
    expect(refusal.json.msg).toContain(`[${extra}]`);
    expect(refusal.json.msg).toContain('at most 3 subscriptions');
    ws.close();
  });

  it('cuts a connection that sends more than the message rate', async () => {
    const ws = await MexcWs.open(strict.ws);
    for (let i = 0; i < 15; i++) ws.send({ method: 'PING' });
    await waitFor(() => ws.closed, 2000, 'the cut');
  });

  it('closes a connection without a subscription, and a subscribed one that stops pinging', async () => {
    const idle = await MexcWs.open(strict.ws);
    await waitFor(() => idle.closed, 2000, 'the unsubscribed close');

    const quiet = await MexcWs.open(strict.ws);
    const pinging = await MexcWs.open(strict.ws);
    await quiet.subscribe(DEPTH_BTC);
    await pinging.subscribe(DEPTH_BTC);
    const timer = setInterval(() => {
      pinging.send({ method: 'PING' });
    }, 100);
    try {
      await waitFor(() => quiet.closed, 3000, 'the idle close');
      expect(pinging.closed).toBe(false);
    } finally {
      clearInterval(timer);
      pinging.close();
    }
  });
});
