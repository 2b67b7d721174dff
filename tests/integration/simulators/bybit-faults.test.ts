import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import type { Frame } from './bybit-client.ts';
import {
  authedSocket,
  publicGet,
  rawRequest,
  signedGet,
  signedPost,
  startSim,
  waitFor,
  WsClient,
} from './bybit-client.ts';

let sim: BybitSim;
beforeAll(async () => {
  sim = await startSim({ quotas: { '/v5/order/create': 1000 } });
});
afterEach(async () => {
  sim.faults.clear();
  await signedPost(sim, '/v5/order/cancel-all', { category: 'spot' });
});
afterAll(async () => {
  await sim.close();
});

const farBid = {
  category: 'spot',
  symbol: 'BTCUSDT',
  side: 'Buy',
  orderType: 'Limit',
  qty: '0.001',
  price: '30000.00',
};
const book50 = (f: Frame): boolean => f.json?.topic === 'orderbook.50.BTCUSDT';

async function bookClient(category: 'spot' | 'linear' = 'spot'): Promise<{ c: WsClient; u: number }> {
  const c = await WsClient.open(`${sim.ws}/v5/public/${category}`);
  c.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
  await c.json('op', 'subscribe');
  const snap = await c.take(book50);
  return { c, u: snap.json.data.u as number };
}

describe('Bybit simulator faults', () => {
  it('drops one kind of connection, or all of them', async () => {
    const pub = await WsClient.open(`${sim.ws}/v5/public/spot`);
    const priv = await authedSocket(sim, '/v5/private');
    const trade = await authedSocket(sim, '/v5/trade');
    expect(sim.faults.dropConnections('private')).toBe(1);
    await waitFor(() => priv.closed, 2000, 'private dropped');
    expect(pub.closed || trade.closed).toBe(false);
    expect(sim.faults.dropConnections()).toBeGreaterThanOrEqual(2);
    await waitFor(() => pub.closed && trade.closed, 2000, 'all dropped');
  });

  it('delays responses by N ms', async () => {
    sim.faults.delayResponses(150);
    const t0 = Date.now();
    const res = await publicGet(sim, '/v5/market/time');
    expect(res.body.retCode).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('refuses the next N requests of an endpoint with the given retCode, without carrying them out', async () => {
    sim.faults.refuseNext('/v5/order/create', 2, 10016, 'Service is restarting');
    for (let i = 0; i < 2; i++) {
      expect((await signedPost(sim, '/v5/order/create', farBid)).body).toMatchObject({
        retCode: 10016,
        retMsg: 'Service is restarting',
      });
    }
    expect(sim.openOrders()).toHaveLength(0);
    expect((await signedPost(sim, '/v5/order/create', farBid)).body.retCode).toBe(0);
    // The trade stream's op counts against the same endpoint.
    sim.faults.refuseNext('order.create', 1, 10429, 'System is busy');
    const trade = await authedSocket(sim, '/v5/trade');
    trade.send({
      reqId: 'r',
      header: { 'X-BAPI-TIMESTAMP': String(Date.now()) },
      op: 'order.create',
      args: [farBid],
    });
    expect((await trade.json('reqId', 'r')).retCode).toBe(10429);
    trade.close();
  });

  it('repeats the next private message', async () => {
    const priv = await authedSocket(sim, '/v5/private');
    priv.send({ op: 'subscribe', args: ['order'] });
    await priv.json('op', 'subscribe');
    sim.faults.repeatPrivate(1);
    await signedPost(sim, '/v5/order/create', farBid);
    const first = await priv.take((f) => f.json?.topic === 'order');
    const second = await priv.take((f) => f.json?.topic === 'order');
    expect(second.raw).toBe(first.raw);
    priv.close();
  });

  it('reorders the next private messages', async () => {
    const priv = await authedSocket(sim, '/v5/private');
    priv.send({ op: 'subscribe', args: ['order', 'wallet'] });
    await priv.json('op', 'subscribe');
    // A new spot order pushes its order, then the wallet (its funds are locked); reordered: wallet first.
    sim.faults.reorderPrivate(2);
    await signedPost(sim, '/v5/order/create', farBid);
    await waitFor(
      () => priv.frames.filter((f) => f.json?.topic !== undefined).length >= 2,
      2000,
      'two pushes',
    );
    expect(priv.frames.filter((f) => f.json?.topic !== undefined).map((f) => f.json.topic as string)).toEqual(
      ['wallet', 'order'],
    );
    priv.close();
  });

  it('times out a create while still placing the order, over REST and over /v5/trade', async () => {
    sim.faults.timeoutCreates(1);
    await expect(signedPost(sim, '/v5/order/create', farBid, { timeoutMs: 300 })).rejects.toThrow('timeout');
    expect(sim.openOrders()).toHaveLength(1);
    sim.faults.timeoutCreates(1);
    const trade = await authedSocket(sim, '/v5/trade');
    trade.send({
      reqId: 't',
      header: { 'X-BAPI-TIMESTAMP': String(Date.now()) },
      op: 'order.create',
      args: [farBid],
    });
    await waitFor(() => sim.openOrders().length === 2, 2000, 'the second order');
    await new Promise((r) => setTimeout(r, 100));
    expect(trade.frames.some((f) => f.json?.reqId === 't')).toBe(false);
    trade.close();
    const listed = await signedGet(sim, '/v5/order/realtime', 'category=spot');
    expect(listed.body.result.list).toHaveLength(2);
  });

  it('sends a u=1 snapshot, after which deltas count from 1', async () => {
    const { c } = await bookClient();
    expect(sim.faults.publicStream('book-reset', { category: 'spot', symbol: 'BTCUSDT' })).toBe(1);
    const reset = await c.take((f) => book50(f) && f.json.data.u === 1);
    expect(reset.json.type).toBe('snapshot');
    const next = await c.take(book50);
    expect(next.json).toMatchObject({ type: 'delta', data: { u: 2 } });
    c.close();
  });

  it('sends a delta with a gap in u', async () => {
    const { c } = await bookClient('linear');
    // Let a few normal deltas through, then gap.
    const before = await c.take(book50);
    sim.faults.publicStream('gap', { category: 'linear', symbol: 'BTCUSDT' });
    let last = before.json.data.u as number;
    for (;;) {
      const f = await c.take(book50);
      if (f.json.data.u !== last + 1) {
        expect(f.json.data.u).toBe(last + 2);
        break;
      }
      last = f.json.data.u;
    }
    c.close();
  });

  it('sends a price off the tick grid', async () => {
    const { c } = await bookClient();
    sim.faults.publicStream('off-tick', { category: 'spot' });
    const bad = await c.take(
      (f) => book50(f) && (f.json.data.b as string[][]).some(([p]) => !/^\d+\.\d0$/.test(p!)),
    );
    expect(bad.json.type).toBe('delta');
    c.close();
  });

  it('sends a malformed frame, an unknown topic and a multi-megabyte frame on a public stream', async () => {
    const c = await WsClient.open(`${sim.ws}/v5/public/spot`);
    await waitFor(() => sim.connections().public >= 1, 2000, 'connected');
    expect(sim.faults.publicStream('malformed', { category: 'spot' })).toBeGreaterThanOrEqual(1);
    const malformed = await c.take((f) => f.json === undefined);
    expect(malformed.raw.startsWith('{"topic":"orderbook.50.BTCUSDT"')).toBe(true);
    sim.faults.publicStream('unknown-topic', { category: 'spot' });
    expect((await c.take((f) => f.json?.topic === 'mystery.BTCUSDT')).json.type).toBe('snapshot');
    sim.faults.publicStream('huge', { category: 'spot', bytes: 3 * 1024 * 1024 });
    const huge = await c.take((f) => f.raw.length >= 3 * 1024 * 1024);
    expect(huge.raw.length).toBe(3 * 1024 * 1024);
    expect(huge.json.topic).toBe('publicTrade.BTCUSDT');
    c.close();
  });

  it('takes faults over HTTP at POST /__sim/fault', async () => {
    const post = (body: unknown): ReturnType<typeof rawRequest> =>
      rawRequest(
        sim.rest,
        'POST',
        '/__sim/fault',
        { 'Content-Type': 'application/json' },
        JSON.stringify(body),
      );
    const ok = await post({
      fault: 'refuse',
      endpoint: '/v5/market/time',
      count: 1,
      retCode: 10016,
      retMsg: 'busy',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, affected: 0 });
    expect((await publicGet(sim, '/v5/market/time')).body.retCode).toBe(10016);
    expect((await publicGet(sim, '/v5/market/time')).body.retCode).toBe(0);
    const c = await WsClient.open(`${sim.ws}/v5/public/linear`);
    await waitFor(() => sim.connections().public >= 1, 2000, 'connected');
    const dropped = await post({ fault: 'drop', kind: 'public' });
    expect(dropped.body.affected).toBeGreaterThanOrEqual(1);
    await waitFor(() => c.closed, 2000, 'dropped over HTTP');
    const bad = await post({ fault: 'delay', ms: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.ok).toBe(false);
    expect((await post({ fault: 'clear' })).status).toBe(200);
  });
});
