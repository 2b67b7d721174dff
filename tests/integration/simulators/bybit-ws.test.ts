import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import type { Frame } from './bybit-client.ts';
import { authedSocket, signedGet, signedPost, startSim, waitFor, WsClient } from './bybit-client.ts';

let sim: BybitSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

type Book = { bids: Map<string, string>; asks: Map<string, string> };

function applyFrame(book: Book, frame: Frame): void {
  const { type, data } = frame.json;
  if (type === 'snapshot') {
    book.bids.clear();
    book.asks.clear();
  }
  for (const [side, entries] of [
    [book.bids, data.b],
    [book.asks, data.a],
  ] as const) {
    for (const [price, size] of entries as [string, string][]) {
      if (size === '0') side.delete(price);
      else side.set(price, size);
    }
  }
}

const bookFrames = (topic: string) => (f: Frame) => f.json?.topic === topic;

describe('Bybit simulator public streams', () => {
  it('streams orderbook.50 as a snapshot then deltas with u + 1 each, which rebuild the book', async () => {
    const a = await WsClient.open(`${sim.ws}/v5/public/spot`);
    a.send({ req_id: 'sub-1', op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
    const ack = await a.json('op', 'subscribe');
    expect(ack).toEqual({
      success: true,
      ret_msg: 'subscribe',
      conn_id: ack.conn_id,
      req_id: 'sub-1',
      op: 'subscribe',
    });
    const snapshot = await a.take(bookFrames('orderbook.50.BTCUSDT'));
    expect(snapshot.json.type).toBe('snapshot');
    // Spot prints `ts` before `type` (A11).
    expect(Object.keys(snapshot.json as object)).toEqual(['topic', 'ts', 'type', 'data', 'cts']);
    expect(snapshot.json.data.b.length).toBeGreaterThan(0);
    expect(snapshot.json.data.b.length).toBeLessThanOrEqual(50);
    const book: Book = { bids: new Map(), asks: new Map() };
    applyFrame(book, snapshot);
    let u = snapshot.json.data.u as number;
    const images = new Map<number, string>();
    for (let i = 0; i < 8; i++) {
      const delta = await a.take(bookFrames('orderbook.50.BTCUSDT'));
      expect(delta.json.type).toBe('delta');
      expect(delta.json.data.u).toBe(u + 1);
      u = delta.json.data.u;
      applyFrame(book, delta);
      images.set(u, JSON.stringify(sorted(book)));
    }
    // A second subscriber's snapshot is the stream's image at its u: our rebuilt book at that u.
    const b = await WsClient.open(`${sim.ws}/v5/public/spot`);
    b.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'] });
    const theirs = await b.take(bookFrames('orderbook.50.BTCUSDT'));
    const at = theirs.json.data.u as number;
    while (u < at) {
      const delta = await a.take(bookFrames('orderbook.50.BTCUSDT'));
      expect(delta.json.data.u).toBe(u + 1);
      u = delta.json.data.u;
      applyFrame(book, delta);
      images.set(u, JSON.stringify(sorted(book)));
    }
    const other: Book = { bids: new Map(), asks: new Map() };
    applyFrame(other, theirs);
    expect(images.get(at)).toBe(JSON.stringify(sorted(other)));
    a.close();
    b.close();
  });

  it('speaks the linear dialect: empty ret_msg, req_id always, type before ts; trades on publicTrade', async () => {
    const c = await WsClient.open(`${sim.ws}/v5/public/linear`);
    c.send({
      op: 'subscribe',
      args: ['orderbook.1.BTCUSDT', 'orderbook.200.BTCUSDT', 'publicTrade.BTCUSDT'],
    });
    const ack = await c.json('op', 'subscribe');
    expect(ack).toMatchObject({ success: true, ret_msg: '', req_id: '' });
    const deep = await c.take((f) => f.json?.topic === 'orderbook.200.BTCUSDT' && f.json.type === 'delta');
    expect(Object.keys(deep.json as object)).toEqual(['topic', 'type', 'ts', 'data', 'cts']);
    const top = await c.take(bookFrames('orderbook.1.BTCUSDT'));
    expect(Object.keys(top.json as object)).toEqual(['topic', 'ts', 'type', 'data', 'cts']);
    expect(top.json.data.b).toHaveLength(1);
    const trade = await c.take((f) => f.json?.topic === 'publicTrade.BTCUSDT', 10_000);
    expect(trade.json.data[0]).toMatchObject({ s: 'BTCUSDT', BT: false });
    expect(trade.json.data[0].L).toMatch(/Tick$/);
    expect(trade.json.data[0].p).toMatch(/^\d+\.\d{2}$/);
    c.send({ req_id: 'bad', op: 'subscribe', args: ['nonsense.BTCUSDT'] });
    const failed = await c.json('req_id', 'bad');
    expect(failed).toEqual({
      success: false,
      ret_msg: 'error:handler not found,topic:nonsense.BTCUSDT',
      conn_id: ack.conn_id,
      req_id: 'bad',
      op: 'subscribe',
    });
    c.close();
  });

  it('matches the REST book to the 1000-level stream', async () => {
    const rest = await fetch(`${sim.rest}/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=5`);
    const body = (await rest.json()) as { result: { b: string[][]; a: string[][]; u: number } };
    expect(body.result.b).toHaveLength(5);
    expect(Number(body.result.b[0]![0])).toBeLessThan(Number(body.result.a[0]![0]));
    const c = await WsClient.open(`${sim.ws}/v5/public/linear`);
    c.send({ op: 'subscribe', args: ['orderbook.1000.ETHUSDT'] });
    const snap = await c.take(bookFrames('orderbook.1000.ETHUSDT'));
    expect(snap.json.data.u).toBeGreaterThanOrEqual(body.result.u);
    c.close();
  });
});

describe('Bybit simulator heartbeats (A11)', () => {
  it('answers ping in each endpoint’s dialect', async () => {
    const spot = await WsClient.open(`${sim.ws}/v5/public/spot`);
    spot.send({ op: 'ping' });
    const s = await spot.json('op', 'ping');
    expect(s).toEqual({ success: true, ret_msg: 'pong', conn_id: s.conn_id, op: 'ping' });
    expect(Object.keys(s as object)).toEqual(['success', 'ret_msg', 'conn_id', 'op']);

    const linear = await WsClient.open(`${sim.ws}/v5/public/linear`);
    linear.send({ op: 'ping' });
    const l = await linear.json('op', 'ping');
    expect(Object.keys(l as object)).toEqual(['success', 'ret_msg', 'conn_id', 'req_id', 'op']);
    expect(l).toMatchObject({ success: true, ret_msg: 'pong', req_id: '' });

    const priv = await WsClient.open(`${sim.ws}/v5/private`);
    priv.send({ req_id: 'test', op: 'ping' });
    const p = await priv.json('op', 'pong');
    expect(Object.keys(p as object)).toEqual(['req_id', 'op', 'args', 'conn_id']);
    expect(p.req_id).toBe('test');
    expect(p.args[0]).toMatch(/^\d{13}$/);

    const trade = await WsClient.open(`${sim.ws}/v5/trade`);
    trade.send({ op: 'ping' });
    const t = await trade.json('op', 'pong');
    expect(Object.keys(t as object)).toEqual(['retCode', 'retMsg', 'op', 'data', 'connId']);
    expect(t).toMatchObject({ retCode: 0, retMsg: 'OK' });
    for (const c of [spot, linear, priv, trade]) c.close();
  });
});

describe('Bybit simulator private and trade streams', () => {
  it('authenticates with GET/realtime{expires} and refuses an expired one with Params Error', async () => {
    const c = await WsClient.open(`${sim.ws}/v5/private`);
    c.send({ op: 'subscribe', args: ['order'] });
    expect(await c.json('op', 'subscribe')).toMatchObject({
      success: false,
      ret_msg: 'Request not authorized',
    });
    c.send({ op: 'auth', args: ['sim-test-key', Date.now() - 1000, '00'] });
    expect(await c.json('op', 'auth')).toMatchObject({ success: false, ret_msg: 'Params Error' });
    c.close();
    const ok = await authedSocket(sim, '/v5/private');
    ok.send({ op: 'subscribe', args: ['order', 'execution', 'position', 'wallet'] });
    expect(await ok.json('op', 'subscribe')).toMatchObject({ success: true, ret_msg: '' });
    ok.close();
  });

  it('takes orders on /v5/trade and pushes order and execution on /v5/private', async () => {
    const priv = await authedSocket(sim, '/v5/private');
    priv.send({ op: 'subscribe', args: ['order.spot', 'execution'] });
    await priv.json('op', 'subscribe');
    const trade = await authedSocket(sim, '/v5/trade');
    const header = (): Record<string, string> => ({
      'X-BAPI-TIMESTAMP': String(Date.now()),
      'X-BAPI-RECV-WINDOW': '5000',
    });
    trade.send({
      reqId: 'c-1',
      header: header(),
      op: 'order.create',
      args: [
        {
          category: 'spot',
          symbol: 'BTCUSDT',
          side: 'Buy',
          orderType: 'Limit',
          qty: '0.001',
          price: '30000.00',
          timeInForce: 'PostOnly',
        },
      ],
    });
    const created = await trade.json('reqId', 'c-1');
    expect(Object.keys(created as object)).toEqual([
      'reqId',
      'retCode',
      'retMsg',
      'op',
      'data',
      'retExtInfo',
      'header',
      'connId',
    ]);
    expect(created).toMatchObject({ retCode: 0, retMsg: 'OK', op: 'order.create' });
    expect(created.header).toMatchObject({
      'X-Bapi-Limit': '20',
      'X-Bapi-Limit-Status': expect.stringMatching(/^\d+$/) as string,
    });
    const orderId = created.data.orderId as string;
    const pushed = await priv.take(
      (f) => f.json?.topic === 'order.spot' && f.json.data[0].orderId === orderId,
    );
    expect(pushed.json.data[0]).toMatchObject({ category: 'spot', orderStatus: 'New', price: '30000.00' });
    expect(Object.keys(pushed.json as object)).toEqual(['id', 'topic', 'creationTime', 'data']);

    trade.send({
      reqId: 'c-1',
      header: header(),
      op: 'order.cancel',
      args: [{ category: 'spot', symbol: 'BTCUSDT', orderId }],
    });
    expect(await trade.json('retCode', 20006)).toMatchObject({ reqId: 'c-1' });
    trade.send({
      reqId: 'x-1',
      header: { 'X-BAPI-TIMESTAMP': String(Date.now() - 10_000) },
      op: 'order.cancel',
      args: [{ category: 'spot', symbol: 'BTCUSDT', orderId }],
    });
    expect((await trade.json('reqId', 'x-1')).retCode).toBe(10002);
    trade.send({
      reqId: 'a-1',
      header: header(),
      op: 'order.amend',
      args: [{ category: 'spot', symbol: 'BTCUSDT', orderId, qty: '0.002' }],
    });
    expect((await trade.json('reqId', 'a-1')).retCode).toBe(0);
    trade.send({
      reqId: 'x-2',
      header: header(),
      op: 'order.cancel',
      args: [{ category: 'spot', symbol: 'BTCUSDT', orderId }],
    });
    expect((await trade.json('reqId', 'x-2')).retCode).toBe(0);
    const cancelled = await priv.take(
      (f) => f.json?.topic === 'order.spot' && f.json.data[0].orderStatus === 'Cancelled',
    );
    expect(cancelled.json.data[0]).toMatchObject({ orderId, qty: '0.002', cancelType: 'CancelByUser' });

    trade.send({
      reqId: 'm-1',
      header: header(),
      op: 'order.create',
      args: [{ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.10' }],
    });
    const market = await trade.json('reqId', 'm-1');
    expect(market.retCode).toBe(0);
    const exec = await priv.take(
      (f) => f.json?.topic === 'execution' && f.json.data[0].orderId === market.data.orderId,
    );
    expect(exec.json.data[0]).toMatchObject({ category: 'linear', execType: 'Trade', isMaker: false });
    // order.spot filters out the linear order's pushes.
    expect(
      priv.frames.some(
        (f) =>
          f.json?.topic === 'order.spot' &&
          (f.json.data as { category: string }[]).some((o) => o.category !== 'spot'),
      ),
    ).toBe(false);
    trade.send({
      reqId: 'b-1',
      header: header(),
      op: 'order.create-batch',
      args: [
        {
          category: 'linear',
          request: [{ symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.10', reduceOnly: true }],
        },
      ],
    });
    const batch = await trade.json('reqId', 'b-1');
    expect(batch.retExtInfo.list).toEqual([{ code: 0, msg: 'OK' }]);
    expect(batch.data.list[0].orderId).toMatch(/^[0-9a-f-]{36}$/);
    priv.close();
    trade.close();
  });

  it('drops private and trade sockets that stay idle', async () => {
    const idle = await startSim({ idleTimeoutMs: 200 });
    try {
      const priv = await WsClient.open(`${idle.ws}/v5/private`);
      const trade = await WsClient.open(`${idle.ws}/v5/trade`);
      const pub = await WsClient.open(`${idle.ws}/v5/public/spot`);
      await waitFor(() => priv.closed && trade.closed, 3000, 'idle sockets dropped');
      expect(pub.closed).toBe(false);
      pub.close();
    } finally {
      await idle.close();
    }
  });
});

describe('Bybit simulator DCP', () => {
  it('cancels the open orders when every private and trade connection has been gone longer than the window', async () => {
    const clock = new SimClock(Date.UTC(2026, 2, 1));
    const dcp = await startSim({ clock });
    try {
      const now = (): number => clock.now();
      const priv = await authedSocket(dcp, '/v5/private', now());
      const trade = await authedSocket(dcp, '/v5/trade', now());
      priv.send({ op: 'subscribe', args: ['dcp.spot'] });
      expect((await priv.json('op', 'subscribe')).success).toBe(true);
      const placed = await signedPost(
        dcp,
        '/v5/order/create',
        {
          category: 'spot',
          symbol: 'BTCUSDT',
          side: 'Buy',
          orderType: 'Limit',
          qty: '0.001',
          price: '30000.00',
        },
        { now },
      );
      expect(placed.body.retCode).toBe(0);
      priv.close();
      await waitFor(() => dcp.connections().private === 0, 3000, 'private socket gone');
      clock.advance(20_000);
      // The trade socket is still there: nothing is cancelled.
      expect(dcp.openOrders()).toHaveLength(1);
      trade.close();
      await waitFor(() => dcp.connections().trade === 0, 3000, 'trade socket gone');
      clock.advance(9_999);
      expect(dcp.openOrders()).toHaveLength(1);
      clock.advance(2);
      expect(dcp.openOrders()).toHaveLength(0);
      const history = await signedGet(
        dcp,
        '/v5/order/history',
        `category=spot&orderId=${placed.body.result.orderId}`,
        { now },
      );
      expect(history.body.result.list[0]).toMatchObject({
        orderStatus: 'Cancelled',
        cancelType: 'CancelByDCP',
      });
    } finally {
      await dcp.close();
    }
  });
});

function sorted(book: Book): { b: string[][]; a: string[][] } {
  const side = (m: Map<string, string>, desc: boolean): string[][] =>
    [...m.entries()].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
  return { b: side(book.bids, true), a: side(book.asks, false) };
}
