import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { decodePush, MexcDecodeError } from '../../../engine/venues/mexc/proto/codec.ts';
import { DEPTH_BTC, MexcWs, privateWs, publicGet, signed, startSim, waitFor } from './mexc-client.ts';

const ORDERS = 'spot@private.orders.v3.api.pb';
const ACCOUNT = 'spot@private.account.v3.api.pb';
const farBid = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '30000' };

let sim: MexcSim;
beforeAll(async () => {
  sim = await startSim();
});
afterEach(async () => {
  sim.faults.clear();
  await signed(sim, 'DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
});
afterAll(async () => {
  await sim.close();
});

async function depthClient(): Promise<MexcWs> {
  const ws = await MexcWs.open(sim.ws);
  await ws.subscribe(DEPTH_BTC);
  await ws.push(DEPTH_BTC);
  return ws;
}

describe('MEXC simulator faults', () => {
  it('drops one kind of connection, or all of them', async () => {
    const pub = await MexcWs.open(sim.ws);
    const { ws: priv } = await privateWs(sim);
    expect(sim.faults.dropConnections('private')).toBe(1);
    await waitFor(() => priv.closed, 2000, 'private dropped');
    expect(pub.closed).toBe(false);
    expect(sim.faults.dropConnections('public')).toBe(1);
    await waitFor(() => pub.closed, 2000, 'public dropped');
    expect(sim.connections()).toEqual({ public: 0, private: 0 });
  });

  it('delays responses by N ms', async () => {
    sim.faults.delayResponses(150);
    const t0 = Date.now();
    expect((await publicGet(sim, '/api/v3/time')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('refuses the next N requests of an endpoint with the given code and status, without carrying them out', async () => {
    sim.faults.refuseNext('/api/v3/order', 2, 30027, 'risk control', 503);
    for (let i = 0; i < 2; i++) {
      const res = await signed(sim, 'POST', '/api/v3/order', farBid);
      expect(res).toMatchObject({ status: 503, body: { code: 30027, msg: 'risk control' } });
    }
    expect(sim.openOrders()).toHaveLength(0);
    expect((await signed(sim, 'POST', '/api/v3/order', farBid)).status).toBe(200);
    // Method and path: only the cancel is refused.
    sim.faults.refuseNext('DELETE /api/v3/order', 1, 500, 'internal error', 500);
    const orderId = sim.openOrders()[0]!['orderId'] as string;
    expect((await signed(sim, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId })).status).toBe(200);
    expect((await signed(sim, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId })).status).toBe(500);
    expect(sim.openOrders()).toHaveLength(1);
  });

  it('repeats the next private push', async () => {
    const { ws } = await privateWs(sim);
    await ws.subscribe(ORDERS);
    sim.faults.repeatPrivate(1);
    await signed(sim, 'POST', '/api/v3/order', farBid);
    const first = await ws.take((f) => f.push?.channel === ORDERS);
    const second = await ws.take((f) => f.push?.channel === ORDERS);
    expect(Buffer.from(second.bytes!).equals(Buffer.from(first.bytes!))).toBe(true);
    ws.close();
  });

  it('reorders the next private pushes', async () => {
    const { ws } = await privateWs(sim);
    await ws.subscribe(ORDERS, ACCOUNT);
    // A new order pushes its order, then the frozen balance; reordered: the balance first.
    sim.faults.reorderPrivate(2);
    await signed(sim, 'POST', '/api/v3/order', farBid);
    await waitFor(() => ws.frames.filter((f) => f.push !== undefined).length >= 2, 2000, 'two pushes');
    expect(ws.frames.filter((f) => f.push !== undefined).map((f) => f.push!.channel)).toEqual([
      ACCOUNT,
      ORDERS,
    ]);
    ws.close();
  });

  it('times out a create while still placing the order', async () => {
    sim.faults.timeoutCreates(1);
    await expect(signed(sim, 'POST', '/api/v3/order', farBid, { timeoutMs: 300 })).rejects.toThrow();
    expect(sim.openOrders()).toHaveLength(1);
    // With destroyAfterMs the connection is cut instead.
    sim.faults.timeoutCreates(1, 50);
    const t0 = Date.now();
    await expect(
      signed(sim, 'POST', '/api/v3/order', { ...farBid, price: '30001' }, { timeoutMs: 3000 }),
    ).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(2000);
    const open = await signed(sim, 'GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body).toHaveLength(2);
  });

  it('skips a depth version once', async () => {
    const ws = await depthClient();
    expect(sim.faults.depthGap('BTCUSDT')).toBe(1);
    const start = ws.pushes(DEPTH_BTC).length;
    await waitFor(() => ws.pushes(DEPTH_BTC).length >= start + 4, 5000, 'pushes after the gap');
    const pushes = ws.pushes(DEPTH_BTC).map((p) => p.publicAggreDepths!);
    const jumps = pushes
      .slice(1)
      .filter((p, i) => Number(p.fromVersion) !== Number(pushes[i]!.toVersion) + 1);
    expect(jumps).toHaveLength(1);
    expect(Number(jumps[0]!.fromVersion)).toBe(Number(pushes[pushes.indexOf(jumps[0]!) - 1]!.toVersion) + 2);
    ws.close();
  });

  it('sends an undecodable frame, a push on an unknown channel and an off-precision depth price', async () => {
    const ws = await depthClient();
    expect(sim.faults.badFrame('undecodable')).toBe(1);
    const bad = await ws.take((f) => f.decodeError !== undefined);
    expect(() => decodePush(bad.bytes!)).toThrow(MexcDecodeError);

    expect(sim.faults.badFrame('unknown-channel', 'BTCUSDT')).toBe(1);
    const odd = await ws.take((f) => f.push?.channel.startsWith('spot@public.mystery') === true);
    expect(odd.push!.symbol).toBe('BTCUSDT');

    expect(sim.faults.badFrame('off-precision', 'BTCUSDT')).toBe(1);
    await waitFor(
      () => ws.pushes(DEPTH_BTC).some((p) => p.publicAggreDepths!.bids.some((b) => /\.\d{3}$/.test(b.price))),
      5000,
      'an off-precision price',
    );
    // The chain stays contiguous through it.
    const pushes = ws.pushes(DEPTH_BTC).map((p) => p.publicAggreDepths!);
    for (let i = 1; i < pushes.length; i++) {
      expect(Number(pushes[i]!.fromVersion)).toBe(Number(pushes[i - 1]!.toVersion) + 1);
    }
    ws.close();
  });

  it('takes the same faults over POST /__sim/fault', async () => {
    const post = async (body: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${sim.rest}/__sim/fault`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    expect(
      await post({ fault: 'refuse', endpoint: '/api/v3/account', code: 700007, msg: 'No permission' }),
    ).toEqual({
      status: 200,
      body: { ok: true, affected: 0 },
    });
    expect((await signed(sim, 'GET', '/api/v3/account')).body).toEqual({
      code: 700007,
      msg: 'No permission',
    });
    const ws = await depthClient();
    expect(await post({ fault: 'depth-gap', symbol: 'BTCUSDT' })).toMatchObject({ body: { affected: 1 } });
    expect(await post({ fault: 'undecodable' })).toMatchObject({ body: { affected: 1 } });
    expect(await post({ fault: 'drop', kind: 'public' })).toMatchObject({ body: { affected: 1 } });
    await waitFor(() => ws.closed, 2000, 'the drop');
    expect((await post({ fault: 'nope' })).status).toBe(400);
    expect((await post({ fault: 'delay', ms: -1 })).status).toBe(400);
  });
});
