import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../engine/core/decimal.ts';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { publicGet, signed, startSim } from './mexc-client.ts';

let sim: MexcSim;
beforeAll(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await signed(sim, 'DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT,ETHUSDT' });
});
afterAll(async () => {
  await sim.close();
});

const farBid = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '30000' };

async function bestAsk(symbol = 'BTCUSDT'): Promise<string> {
  return (await publicGet(sim, `/api/v3/ticker/bookTicker?symbol=${symbol}`)).body.askPrice as string;
}

describe('MEXC simulator order lifecycle over REST', () => {
  it('places a LIMIT_MAKER, lists it, queries it and cancels it; funds lock and unlock', async () => {
    const placed = await signed(sim, 'POST', '/api/v3/order', { ...farBid, newClientOrderId: 'mm-1' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({
      symbol: 'BTCUSDT',
      orderListId: -1,
      price: '30000',
      origQty: '0.001',
      type: 'LIMIT_MAKER',
      side: 'BUY',
    });
    const orderId = placed.body.orderId as string;
    expect(typeof orderId).toBe('string');
    expect(orderId).toMatch(/^C02__\d+$/);
    // Limit buys reserve the notional plus the worst fee (0.05 %): 30 * 1.0005.
    expect(sim.balances()['USDT']).toEqual({ free: '999969.985', locked: '30.015' });

    const open = await signed(sim, 'GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body).toHaveLength(1);
    expect(open.body[0]).toMatchObject({
      orderId,
      clientOrderId: 'mm-1',
      status: 'NEW',
      executedQty: '0',
      cummulativeQuoteQty: '0',
      type: 'LIMIT_MAKER',
    });
    expect(sim.openOrders()).toEqual(open.body);

    const byClient = await signed(sim, 'GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'mm-1',
    });
    expect(byClient.body.orderId).toBe(orderId);

    const cancelled = await signed(sim, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect(cancelled.body).toMatchObject({
      symbol: 'BTCUSDT',
      orderId,
      origClientOrderId: 'mm-1',
      status: 'CANCELED',
      executedQty: '0',
    });
    expect(sim.balances()['USDT']).toEqual({ free: '1000000', locked: '0' });
    const after = await signed(sim, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect(after.body.status).toBe('CANCELED');
    const again = await signed(sim, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect(again).toMatchObject({ status: 400, body: { code: -2011, msg: 'Unknown order sent.' } });
    const all = await signed(sim, 'GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' });
    expect((all.body as { orderId: string }[]).map((o) => o.orderId)).toContain(orderId);
  });

  it('cancels every open order of the symbols named', async () => {
    for (const price of ['30000', '30001']) await signed(sim, 'POST', '/api/v3/order', { ...farBid, price });
    await signed(sim, 'POST', '/api/v3/order', {
      ...farBid,
      symbol: 'ETHUSDT',
      quantity: '0.01',
      price: '1000',
    });
    const res = await signed(sim, 'DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(res.body).toHaveLength(2);
    expect((res.body as { status: string }[]).every((o) => o.status === 'CANCELED')).toBe(true);
    expect(sim.openOrders().map((o) => o['symbol'])).toEqual(['ETHUSDT']);
  });

  it('places a batch: each item answered alone, a failing one with its code', async () => {
    const batch = [
      { ...farBid, newClientOrderId: 'b-1' },
      { ...farBid, quantity: '0.00001', newClientOrderId: 'b-2' },
      { ...farBid, price: '30000.001', newClientOrderId: 'b-3' },
      { ...farBid, price: '29999', newClientOrderId: 'b-4' },
    ];
    const res = await signed(sim, 'POST', '/api/v3/batchOrders', { batchOrders: JSON.stringify(batch) });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(4);
    expect(res.body[0]).toMatchObject({ symbol: 'BTCUSDT', orderListId: -1, newClientOrderId: 'b-1' });
    expect(res.body[1]).toMatchObject({ newClientOrderId: 'b-2', code: 30002 });
    expect(res.body[2]).toMatchObject({ newClientOrderId: 'b-3', code: 33333 });
    expect(res.body[3].orderId).toMatch(/^C02__/);
    expect(sim.openOrders()).toHaveLength(2);
    const mixed = [farBid, { ...farBid, symbol: 'ETHUSDT' }];
    expect(
      (await signed(sim, 'POST', '/api/v3/batchOrders', { batchOrders: JSON.stringify(mixed) })).status,
    ).toBe(400);
    const many = Array.from({ length: 21 }, () => farBid);
    expect(
      (await signed(sim, 'POST', '/api/v3/batchOrders', { batchOrders: JSON.stringify(many) })).body.code,
    ).toBe(33333);
  });

  it('fills a crossing order: myTrades lists the fills and the balances move by exactly them', async () => {
    const before = sim.balances();
    const ask = new Decimal(await bestAsk());
    const res = await signed(sim, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'IMMEDIATE_OR_CANCEL',
      quantity: '0.002',
      price: ask.plus(50).toFixed(2),
    });
    expect(res.status).toBe(200);
    const orderId = res.body.orderId as string;
    const order = (await signed(sim, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId })).body;
    expect(['FILLED', 'PARTIALLY_CANCELED']).toContain(order.status);
    const trades = (await signed(sim, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', orderId })).body as {
      qty: string;
      quoteQty: string;
      commission: string;
      commissionAsset: string;
      isBuyer: boolean;
      isMaker: boolean;
      orderId: string;
    }[];
    expect(trades.length).toBeGreaterThan(0);
    let qty = new Decimal(0);
    let quote = new Decimal(0);
    let fee = new Decimal(0);
    for (const t of trades) {
      expect(t).toMatchObject({ orderId, isBuyer: true, isMaker: false, commissionAsset: 'USDT' });
      qty = qty.plus(t.qty);
      quote = quote.plus(t.quoteQty);
      fee = fee.plus(t.commission);
    }
    expect(fee.eq(quote.mul('0.0005'))).toBe(true);
    expect(qty.toFixed()).toBe(new Decimal(order.executedQty as string).toFixed());
    expect(quote.toFixed()).toBe(new Decimal(order.cummulativeQuoteQty as string).toFixed());
    const after = sim.balances();
    expect(new Decimal(after['BTC']!.free).minus(before['BTC']!.free).toFixed()).toBe(qty.toFixed());
    expect(new Decimal(before['USDT']!.free).minus(after['USDT']!.free).toFixed()).toBe(
      quote.plus(fee).toFixed(),
    );
    expect(after['USDT']!.locked).toBe('0');
    const account = (await signed(sim, 'GET', '/api/v3/account')).body;
    const usdt = (account.balances as { asset: string }[]).find((b) => b.asset === 'USDT');
    expect(usdt).toEqual({ asset: 'USDT', free: after['USDT']!.free, locked: '0' });
  });

  it('checks an order without placing it on /order/test', async () => {
    expect((await signed(sim, 'POST', '/api/v3/order/test', farBid)).body).toEqual({});
    expect(sim.openOrders()).toHaveLength(0);
    expect((await signed(sim, 'POST', '/api/v3/order/test', { ...farBid, quantity: '40' })).body.code).toBe(
      30004,
    );
  });
});

describe('MEXC simulator order checks', () => {
  it.each([
    ['below baseSizePrecision', { symbol: 'ETHUSDT', quantity: '0.00005', price: '3000' }, 30002],
    ['below the minimum value', { quantity: '0.00001', price: '30000' }, 30002],
    ['a price beyond the symbol precision', { price: '30000.005' }, 33333],
    ['a quantity beyond the base precision', { quantity: '0.0010001' }, 33333],
    ['more than the balance', { quantity: '40', price: '30000' }, 30004],
    ['an unknown symbol', { symbol: 'DOGEUSDT' }, 30014],
    ['a halted symbol', { symbol: 'LUNAUSDT', price: '0.5', quantity: '10' }, 30000],
    ['no price', { price: '' }, 700004],
    ['a bad side', { side: 'LONG' }, 33333],
    ['a bad type', { type: 'STOP' }, 33333],
  ] as const)('refuses %s', async (_what, change, code) => {
    const res = await signed(sim, 'POST', '/api/v3/order', { ...farBid, ...change });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(typeof res.body.msg).toBe('string');
    expect(sim.openOrders()).toHaveLength(0);
  });

  it('names the minimum in the 30002 text', async () => {
    const value = await signed(sim, 'POST', '/api/v3/order', { ...farBid, quantity: '0.00001' });
    expect(value.body.msg).toBe('The minimum transaction volume cannot be less than:1USDT');
    const qty = await signed(sim, 'POST', '/api/v3/order', {
      ...farBid,
      symbol: 'ETHUSDT',
      quantity: '0.00009',
    });
    expect(qty.body.msg).toBe('The minimum transaction volume cannot be less than:0.0001ETH');
  });

  it('sells no more than the free base (30004)', async () => {
    const res = await signed(sim, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '11',
      price: '90000',
    });
    expect(res.body).toEqual({ code: 30004, msg: 'Insufficient position' });
  });

  it('cancels a LIMIT_MAKER that would take (the default), unfilled', async () => {
    const before = sim.balances()['USDT'];
    const ask = await bestAsk();
    const res = await signed(sim, 'POST', '/api/v3/order', { ...farBid, price: ask });
    expect(res.status).toBe(200);
    const order = (
      await signed(sim, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: res.body.orderId })
    ).body;
    expect(order).toMatchObject({ status: 'CANCELED', executedQty: '0' });
    expect(sim.balances()['USDT']).toEqual(before);
  });

  it('asks for an order id to cancel (700004) and refuses an unknown one (-2011)', async () => {
    expect((await signed(sim, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT' })).body.code).toBe(700004);
    expect(
      (await signed(sim, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: 'C02__42' })).body,
    ).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
  });
});

describe('MEXC simulator with LIMIT_MAKER crosses rejected', () => {
  it('refuses a LIMIT_MAKER that would take with 30041', async () => {
    const strict = await startSim({ limitMakerCross: 'reject' });
    try {
      const ask = (await publicGet(strict, '/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body
        .askPrice as string;
      const res = await signed(strict, 'POST', '/api/v3/order', { ...farBid, price: ask });
      expect(res).toMatchObject({ status: 400, body: { code: 30041 } });
      expect(strict.openOrders()).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
