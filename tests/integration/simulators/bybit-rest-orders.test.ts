import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import type { RawResponse } from './bybit-client.ts';
import { publicGet, signedGet, signedPost, startSim } from './bybit-client.ts';

let sim: BybitSim;
beforeAll(async () => {
  // Generous quotas: this file sends many orders in a row and tests the quota elsewhere.
  sim = await startSim({ quotas: { '/v5/order/create': 1000, '/v5/order/create-batch': 1000 } });
});
afterAll(async () => {
  await sim.close();
});

const spotBuy = (price: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  category: 'spot',
  symbol: 'BTCUSDT',
  side: 'Buy',
  orderType: 'Limit',
  qty: '0.001',
  price,
  timeInForce: 'PostOnly',
  ...extra,
});

const linearBuy = (price: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...spotBuy(price, extra),
  category: 'linear',
});

async function create(body: Record<string, unknown>): Promise<RawResponse> {
  return signedPost(sim, '/v5/order/create', body);
}

async function order(category: string, orderId: string): Promise<Record<string, unknown>> {
  const res = await signedGet(sim, '/v5/order/history', `category=${category}&orderId=${orderId}`);
  expect(res.body.retCode).toBe(0);
  return (res.body.result.list as Record<string, unknown>[])[0]!;
}

describe('Bybit simulator REST orders', () => {
  it('lists spot and linear instruments with their filters; linear pages by cursor', async () => {
    const spot = await publicGet(sim, '/v5/market/instruments-info?category=spot');
    expect((spot.body.result.list as { symbol: string }[]).map((i) => i.symbol)).toEqual([
      'BTCUSDT',
      'ETHUSDT',
    ]);
    expect(spot.body.result.list[0]).toMatchObject({
      priceFilter: { tickSize: '0.10' },
      lotSizeFilter: { basePrecision: '0.001', minOrderAmt: '5' },
    });
    const first = await publicGet(sim, '/v5/market/instruments-info?category=linear&limit=1');
    expect(first.body.result.list).toHaveLength(1);
    expect(first.body.result.list[0]).toMatchObject({
      symbol: 'BTCUSDT',
      contractType: 'LinearPerpetual',
      fundingInterval: 480,
    });
    const cursor = first.body.result.nextPageCursor as string;
    expect(cursor).not.toBe('');
    const second = await publicGet(
      sim,
      `/v5/market/instruments-info?category=linear&limit=1&cursor=${cursor}`,
    );
    expect(second.body.result.list[0].symbol).toBe('ETHUSDT');
    expect(second.body.result.nextPageCursor).toBe('');
  });

  it('runs a spot order through create, list, amend and cancel, numbers as decimal strings', async () => {
    const created = await create(spotBuy('30000.00', { orderLinkId: 'life-1' }));
    expect(created.body).toMatchObject({ retCode: 0, retMsg: 'OK', result: { orderLinkId: 'life-1' } });
    const orderId = created.body.result.orderId as string;
    expect(orderId).toMatch(/^\d{19}$/);
    const open = await signedGet(sim, '/v5/order/realtime', 'category=spot&symbol=BTCUSDT');
    const listed = (open.body.result.list as { orderId: string; createdTime: unknown }[]).find(
      (o) => o.orderId === orderId,
    );
    expect(listed).toMatchObject({
      orderStatus: 'New',
      price: '30000.00',
      qty: '0.001',
      leavesQty: '0.001',
      leavesValue: '30',
      cumExecQty: '0.000',
      timeInForce: 'PostOnly',
      orderType: 'Limit',
      side: 'Buy',
    });
    expect(typeof listed?.createdTime).toBe('string');
    expect(sim.balances().USDT!.locked).toBe('30.018');

    const amended = await signedPost(sim, '/v5/order/amend', {
      category: 'spot',
      symbol: 'BTCUSDT',
      orderLinkId: 'life-1',
      price: '30000.10',
    });
    expect(amended.body).toMatchObject({ retCode: 0, result: { orderId, orderLinkId: 'life-1' } });
    expect((await order('spot', orderId)).price).toBe('30000.10');

    const cancelled = await signedPost(sim, '/v5/order/cancel', {
      category: 'spot',
      symbol: 'BTCUSDT',
      orderId,
    });
    expect(cancelled.body.retCode).toBe(0);
    const closed = await signedGet(sim, '/v5/order/realtime', `category=spot&openOnly=1`);
    expect(closed.body.result.list[0]).toMatchObject({
      orderId,
      orderStatus: 'Cancelled',
      cancelType: 'CancelByUser',
    });
    expect(sim.balances().USDT!.locked).toBe('0');
    const again = await signedPost(sim, '/v5/order/cancel', { category: 'spot', symbol: 'BTCUSDT', orderId });
    expect(again.body).toMatchObject({ retCode: 170213, retMsg: 'Order does not exist.' });
  });

  it('acks a crossing post-only order, then cancels it with EC_PostOnlyWillTakeLiquidity (A10)', async () => {
    for (const category of ['spot', 'linear']) {
      const created = await create({ ...spotBuy('90000.00'), category });
      expect(created.body.retCode).toBe(0);
      expect(await order(category, created.body.result.orderId as string)).toMatchObject({
        orderStatus: 'Cancelled',
        rejectReason: 'EC_PostOnlyWillTakeLiquidity',
        cancelType: 'UNKNOWN',
        cumExecQty: category === 'spot' ? '0.000' : '0.000',
      });
    }
  });

  it.each([
    ['spot price off the tick', spotBuy('30000.05'), 170134],
    ['spot qty off basePrecision', spotBuy('30000.00', { qty: '0.0015' }), 170137],
    ['spot qty below the minimum', spotBuy('30000.00', { qty: '0' }), 170136],
    ['spot value below minOrderAmt', spotBuy('1000.00'), 170140],
    ['spot balance short', spotBuy('60000.00', { qty: '100' }), 170131],
    ['linear price off the tick', linearBuy('30000.05'), 10001],
    ['linear qty off the qty step', linearBuy('30000.00', { qty: '0.0015' }), 10001],
    ['linear qty below the minimum', linearBuy('30000.00', { qty: '0' }), 10001],
    ['linear notional below minNotionalValue', linearBuy('1000.00'), 110094],
    ['linear price past maxPrice', linearBuy('2000000.00'), 110003],
    ['linear margin short', linearBuy('60000.00', { qty: '1000' }), 110007],
    ['a bad orderLinkId', spotBuy('30000.00', { orderLinkId: 'has space' }), 10001],
    ['hedge-mode positionIdx on one-way', linearBuy('30000.00', { positionIdx: 1 }), 10001],
  ])('refuses %s', async (_name, body, code) => {
    const res = await create(body);
    expect(res.status).toBe(200);
    expect(res.body.retCode).toBe(code);
    expect(res.body.result).toEqual({});
  });

  it('refuses a reused orderLinkId: 170141 on spot, 110072 on linear (A9)', async () => {
    expect((await create(spotBuy('30000.00', { orderLinkId: 'dup-1' }))).body.retCode).toBe(0);
    expect((await create(spotBuy('30000.00', { orderLinkId: 'dup-1' }))).body.retCode).toBe(170141);
    expect((await create(linearBuy('30000.00', { orderLinkId: 'dup-1' }))).body.retCode).toBe(0);
    expect((await create(linearBuy('30000.00', { orderLinkId: 'dup-1' }))).body.retCode).toBe(110072);
    const unknown = await signedPost(sim, '/v5/order/cancel', {
      category: 'linear',
      symbol: 'BTCUSDT',
      orderLinkId: 'nope',
    });
    expect(unknown.body.retCode).toBe(110001);
    const all = await signedPost(sim, '/v5/order/cancel-all', { category: 'linear', settleCoin: 'USDT' });
    expect(all.body.result.list.length).toBeGreaterThanOrEqual(1);
    await signedPost(sim, '/v5/order/cancel-all', { category: 'spot' });
  });

  it('pages open orders newest first by cursor', async () => {
    const ids: string[] = [];
    for (const price of ['30000.00', '30000.10', '30000.20'])
      ids.push((await create(spotBuy(price))).body.result.orderId as string);
    const first = await signedGet(sim, '/v5/order/realtime', 'category=spot&limit=2');
    expect((first.body.result.list as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[2], ids[1]]);
    const next = first.body.result.nextPageCursor as string;
    const second = await signedGet(sim, '/v5/order/realtime', `category=spot&limit=2&cursor=${next}`);
    expect((second.body.result.list as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[0]]);
    expect(second.body.result.nextPageCursor).toBe('');
    expect((await signedGet(sim, '/v5/order/realtime', 'category=linear')).body.retCode).toBe(10001);
    await signedPost(sim, '/v5/order/cancel-all', { category: 'spot' });
  });

  it('runs batches with per-item results: spot at most 10 items', async () => {
    const res = await signedPost(sim, '/v5/order/create-batch', {
      category: 'spot',
      request: [spotBuy('30000.00'), spotBuy('30000.05')].map(({ category: _c, ...item }) => item),
    });
    expect(res.body.retCode).toBe(0);
    expect(res.body.retExtInfo.list).toEqual([
      { code: 0, msg: 'OK' },
      { code: 170134, msg: 'Order price decimal too long.' },
    ]);
    const [ok, failed] = res.body.result.list;
    expect(ok).toMatchObject({ category: 'spot', symbol: 'BTCUSDT' });
    expect(ok.createAt).not.toBe('');
    expect(failed.orderId).toBe('');
    const cancel = await signedPost(sim, '/v5/order/cancel-batch', {
      category: 'spot',
      request: [
        { symbol: 'BTCUSDT', orderId: ok.orderId },
        { symbol: 'BTCUSDT', orderId: '1' },
      ],
    });
    expect((cancel.body.retExtInfo.list as { code: number }[]).map((e) => e.code)).toEqual([0, 170213]);
    const eleven = Array.from({ length: 11 }, () => ({
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      qty: '0.001',
      price: '30000.00',
    }));
    expect(
      (await signedPost(sim, '/v5/order/create-batch', { category: 'spot', request: eleven })).body.retCode,
    ).toBe(10001);
  });

  it('fills a linear market order: executions, a position, margin in the wallet, then closes it', async () => {
    const opened = await create({
      category: 'linear',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '0.010',
    });
    expect(opened.body.retCode).toBe(0);
    const orderId = opened.body.result.orderId as string;
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await order('linear', orderId)).toMatchObject({
      orderStatus: 'Filled',
      cumExecQty: '0.010',
      timeInForce: 'IOC',
    });
    const execs = await signedGet(sim, '/v5/execution/list', `category=linear&orderId=${orderId}`);
    expect(execs.body.result.list.length).toBeGreaterThanOrEqual(1);
    expect(execs.body.result.list[0]).toMatchObject({
      execType: 'Trade',
      isMaker: false,
      feeRate: '0.00055',
      orderId,
    });
    const pos = await signedGet(sim, '/v5/position/list', 'category=linear&symbol=BTCUSDT');
    expect(pos.body.result.list[0]).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'Buy',
      size: '0.010',
      leverage: '10',
    });
    expect(pos.body.result.list[0].avgPrice).toMatch(/^\d+\.\d+$/);
    const wallet = await signedGet(sim, '/v5/account/wallet-balance', 'accountType=UNIFIED&coin=USDT');
    expect(Number(wallet.body.result.list[0].coin[0].totalPositionIM)).toBeGreaterThan(0);

    const closed = await create({
      category: 'linear',
      symbol: 'BTCUSDT',
      side: 'Sell',
      orderType: 'Market',
      qty: '0.010',
      reduceOnly: true,
    });
    expect(closed.body.retCode).toBe(0);
    const flat = await signedGet(sim, '/v5/position/list', 'category=linear&symbol=BTCUSDT');
    expect(flat.body.result.list[0]).toMatchObject({ side: '', size: '0.000' });
    expect(flat.body.result.list[0].cumRealisedPnl).not.toBe('0');
    expect(sim.positions()).toEqual([]);
    const none = await create({
      category: 'linear',
      symbol: 'BTCUSDT',
      side: 'Sell',
      orderType: 'Market',
      qty: '0.010',
      reduceOnly: true,
    });
    expect(none.body.retCode).toBe(110017);
  });

  it('fills or kills a FOK order, and buys a quote amount with a spot market order', async () => {
    const kill = await create({ ...spotBuy('30000.00'), timeInForce: 'FOK' });
    expect(await order('spot', kill.body.result.orderId as string)).toMatchObject({
      orderStatus: 'Cancelled',
      rejectReason: 'EC_NoEnoughQtyToFill',
      cumExecQty: '0.000',
    });
    const fill = await create({ ...spotBuy('90000.00'), timeInForce: 'FOK' });
    expect(await order('spot', fill.body.result.orderId as string)).toMatchObject({
      orderStatus: 'Filled',
      cumExecQty: '0.001',
    });
    const quote = await create({
      category: 'spot',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '200',
    });
    const bought = await order('spot', quote.body.result.orderId as string);
    // 200 USDT at about 65,000 buys 0.003 BTC (whole lots; the rest of the quote stays unspent).
    expect(bought).toMatchObject({
      orderStatus: 'Filled',
      qty: '200',
      marketUnit: 'quoteCoin',
      cumExecQty: '0.003',
    });
    expect(Number(bought.cumExecValue)).toBeLessThanOrEqual(200);
  });

  it('pages executions by cursor and filters by startTime', async () => {
    await create({
      category: 'spot',
      symbol: 'ETHUSDT',
      side: 'Buy',
      orderType: 'Market',
      qty: '0.05',
      marketUnit: 'baseCoin',
    });
    await create({ category: 'spot', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.05' });
    const all = await signedGet(sim, '/v5/execution/list', 'category=spot&symbol=ETHUSDT&limit=100');
    const n = all.body.result.list.length as number;
    expect(n).toBeGreaterThanOrEqual(2);
    const page1 = await signedGet(sim, '/v5/execution/list', 'category=spot&symbol=ETHUSDT&limit=1');
    expect(page1.body.result.list).toHaveLength(1);
    const page2 = await signedGet(
      sim,
      '/v5/execution/list',
      `category=spot&symbol=ETHUSDT&limit=100&cursor=${page1.body.result.nextPageCursor}`,
    );
    expect(page2.body.result.list).toHaveLength(n - 1);
    const future = await signedGet(
      sim,
      '/v5/execution/list',
      `category=spot&startTime=${Date.now() + 60_000}`,
    );
    expect(future.body.result.list).toEqual([]);
  });

  it('arms DCP over REST and reports it', async () => {
    const bad = await signedPost(sim, '/v5/order/disconnected-cancel-all', {
      product: 'SPOT',
      timeWindow: 1,
    });
    expect(bad.body.retCode).toBe(10001);
    const armed = await signedPost(sim, '/v5/order/disconnected-cancel-all', {
      product: 'SPOT',
      timeWindow: 3,
    });
    expect(armed.body).toMatchObject({ retCode: 0, retMsg: 'success' });
    const info = await signedGet(sim, '/v5/account/query-dcp-info', '');
    expect(info.body.result.dcpInfos).toEqual([{ product: 'SPOT', dcpStatus: 'ON', timeWindow: '3' }]);
  });
});

describe('Bybit simulator funding', () => {
  it('settles funding every interval as execType Funding executions and in the wallet', async () => {
    const fast = await startSim({ fundingIntervalMs: 150, fundingRate: '0.001' });
    try {
      const res = await signedPost(fast, '/v5/order/create', {
        category: 'linear',
        symbol: 'BTCUSDT',
        side: 'Buy',
        orderType: 'Market',
        qty: '0.100',
      });
      expect(res.body.retCode).toBe(0);
      let funding: Record<string, string>[] = [];
      for (let i = 0; i < 100 && funding.length === 0; i++) {
        const list = await signedGet(fast, '/v5/execution/list', 'category=linear&execType=Funding');
        funding = list.body.result.list;
        if (funding.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(funding[0]).toMatchObject({
        execType: 'Funding',
        symbol: 'BTCUSDT',
        side: 'Buy',
        feeRate: '0.001',
        execQty: '0.100',
      });
      expect(Number(funding[0]!.execFee)).toBeGreaterThan(0);
      const pos = await signedGet(fast, '/v5/position/list', 'category=linear&symbol=BTCUSDT');
      expect(Number(pos.body.result.list[0].curRealisedPnl)).toBeLessThan(0);
    } finally {
      await fast.close();
    }
  });
});
