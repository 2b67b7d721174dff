import { describe, expect, it } from 'vitest';
import type { Lots, Ticks } from '../../../../engine/core/instrument.ts';
import {
  batchParams,
  cancelAllParams,
  cancelParams,
  fetchTradesSince,
  MAX_BATCH,
  orderItem,
  parseAccount,
  parseBatch,
  parseCancel,
  parseCancelAll,
  parseNewOrder,
  parseOrder,
  parseOrders,
  parseTrade,
  queryOrderParams,
  TRADES_HISTORY_MS,
  TRADES_PAGE,
} from '../../../../engine/venues/mexc/rest-orders.ts';
import { orderUpdateSeq } from '../../../../engine/venues/mexc/wire.ts';
import type { PlaceRequest } from '../../../../engine/venues/venue.ts';
import {
  bnbBtc,
  btcUsdtSample,
  expectEngineError,
  expectRejects,
  ltcBtc,
  mexcFixture,
  mxUsdt,
} from './rest-helpers.ts';

const T = (n: number) => n as Ticks;
const L = (n: number) => n as Lots;

function limit(over: Partial<PlaceRequest> = {}): PlaceRequest {
  return {
    symbol: 'MXUSDT',
    clientId: 'c1',
    side: 'buy',
    type: 'limit',
    timeInForce: 'gtc',
    price: T(1000), // 0.1000
    size: L(5000), // 50.00
    ...over,
  };
}

describe('MEXC new order', () => {
  it('prints the documented request with exact strings and our client id', () => {
    expect(orderItem(mxUsdt, limit())).toEqual({
      symbol: 'MXUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '50.00',
      price: '0.1000',
      newClientOrderId: 'c1',
    });
  });

  it('carries post-only, IOC and market as order types', () => {
    expect(orderItem(mxUsdt, limit({ timeInForce: 'post_only' })).type).toBe('LIMIT_MAKER');
    expect(orderItem(mxUsdt, limit({ timeInForce: 'ioc', side: 'sell' }))).toMatchObject({
      type: 'IMMEDIATE_OR_CANCEL',
      side: 'SELL',
    });
    const market = orderItem(mxUsdt, limit({ type: 'market', price: undefined, timeInForce: 'ioc' }));
    expect(market).toEqual({
      symbol: 'MXUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '50.00',
      newClientOrderId: 'c1',
    });
  });

  it('refuses what it cannot print', () => {
    expectEngineError(() => orderItem(mxUsdt, limit({ price: undefined })), /needs a price/);
    expectEngineError(() => orderItem(mxUsdt, limit({ size: L(0) })), /size lots 0/);
    expectEngineError(() => orderItem(mxUsdt, limit({ price: T(1.5) })), /price ticks/);
    expectEngineError(() => orderItem(mxUsdt, limit({ symbol: 'BTCUSDT' })), /BTCUSDT priced on MXUSDT/);
    expectEngineError(() => orderItem(mxUsdt, limit({ clientId: '' })), /clientId is empty/);
  });

  it('reads the documented answer into an ack', () => {
    expect(parseNewOrder(mexcFixture('new-order.json'), 'c1', 5)).toEqual({
      clientId: 'c1',
      venueOrderId: '06a480e69e604477bfb48dddd5f0b750',
      ts: 1666676533741,
    });
    expect(parseNewOrder({ orderId: 77 }, 'c2', 5)).toEqual({ clientId: 'c2', venueOrderId: '77', ts: 5 });
    expectEngineError(() => parseNewOrder({ symbol: 'MXUSDT' }, 'c1', 5), /MEXC new order c1 orderId/);
    expectEngineError(() => parseNewOrder({ orderId: 'x', transactTime: 'soon' }, 'c1', 5), /transactTime/);
  });
});

describe('MEXC batch orders', () => {
  const requests = [
    limit({ clientId: 'hio8279hbdsds' }),
    limit({ clientId: '123456', size: L(1) }),
    limit({ clientId: 'c3', side: 'sell' }),
  ];

  it('builds one JSON parameter of order items', () => {
    const p = batchParams(mxUsdt, requests);
    expect(JSON.parse(p.batchOrders)).toEqual(requests.map((r) => orderItem(mxUsdt, r)));
  });

  it('refuses an empty or oversized batch, mixed symbols and repeated ids', () => {
    expectEngineError(() => batchParams(mxUsdt, []), /1 to 20/);
    const many = Array.from({ length: MAX_BATCH + 1 }, (_, i) => limit({ clientId: `c${i}` }));
    expectEngineError(() => batchParams(mxUsdt, many), /got 21/);
    expect(() => batchParams(mxUsdt, many.slice(0, MAX_BATCH))).not.toThrow();
    expectEngineError(
      () => batchParams(mxUsdt, [limit(), limit({ symbol: 'BTCUSDT', clientId: 'x' })]),
      /share one symbol/,
    );
    expectEngineError(() => batchParams(mxUsdt, [limit(), limit()]), /repeats clientId c1/);
  });

  it('reads per-item results of the documented mixed answer', () => {
    const results = parseBatch(mexcFixture('batch-orders.json'), requests, 9);
    expect(results).toEqual([
      { ok: true, value: { clientId: 'hio8279hbdsds', venueOrderId: '1196315350023612316', ts: 9 } },
      {
        ok: false,
        code: 'invalid_order',
        message: 'MEXC 30002: The minimum transaction volume cannot be less than:0.5USDT',
      },
      { ok: true, value: { clientId: 'c3', venueOrderId: '1196315350023612318', ts: 9 } },
    ]);
  });

  it('matches named items by id and leaves an unaccounted order unknown', () => {
    const shuffled = [
      { newClientOrderId: 'c3', msg: 'Insufficient position', code: 30004 },
      { symbol: 'MXUSDT', orderId: 'o1', newClientOrderId: 'hio8279hbdsds' },
    ];
    const results = parseBatch(shuffled, requests, 1);
    expect(results[0]).toMatchObject({ ok: true, value: { venueOrderId: 'o1' } });
    expect(results[1]).toMatchObject({ ok: false, code: 'venue_unavailable' });
    expect(results[2]).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expectEngineError(() => parseBatch({ code: 0 }, requests, 1), /MEXC batch answer/);
    expectEngineError(() => parseBatch([{ orderId: {} }], requests, 1), /MEXC batch item 0 orderId/);
  });
});

describe('MEXC cancels', () => {
  it('cancels by our client id', () => {
    expect(cancelParams('LTCBTC', 'myOrder1')).toEqual({ symbol: 'LTCBTC', origClientOrderId: 'myOrder1' });
    expectEngineError(() => cancelParams('LTCBTC', ''), /clientId is empty/);
  });

  it('reads the documented cancel answer (numeric order id)', () => {
    expect(parseCancel(mexcFixture('cancel-order.json'), 'myOrder1', 7)).toEqual({
      clientId: 'myOrder1',
      venueOrderId: '4',
      ts: 7,
    });
    expectEngineError(
      () => parseCancel(mexcFixture('cancel-order.json'), 'other', 7),
      /answer is for myOrder1/,
    );
  });

  it('cancels all on up to five symbols and counts the documented answer', () => {
    expect(cancelAllParams(['BTCUSDT', 'MXUSDT'])).toEqual({ symbol: 'BTCUSDT,MXUSDT' });
    expectEngineError(() => cancelAllParams([]), /1 to 5/);
    expectEngineError(() => cancelAllParams(['A', 'B', 'C', 'D', 'E', 'F']), /got 6/);
    expect(parseCancelAll(mexcFixture('cancel-all.json'))).toBe(2);
    expect(parseCancelAll([])).toBe(0);
    expectEngineError(() => parseCancelAll([{ symbol: 'BTCUSDT' }]), /cancel-all answer 0.orderId/);
  });
});

describe('MEXC order records', () => {
  it('reads the documented open order into an OrderUpdate', () => {
    const [o] = parseOrders(ltcBtc, mexcFixture('open-orders.json'));
    expect(o).toEqual({
      type: 'order',
      symbol: 'LTCBTC',
      clientId: 'myOrder1',
      venueOrderId: '1',
      side: 'buy',
      orderType: 'limit',
      timeInForce: 'gtc',
      status: 'new',
      price: 100_000,
      size: 100,
      filled: 0,
      ts: 1499827319559,
      updateSeq: orderUpdateSeq(0, 'new'),
      reason: undefined,
    });
  });

  it('reads the query-order sample, whose origQty is printed "Qty"', () => {
    const o = parseOrder(ltcBtc, mexcFixture('query-order.json'));
    expect(o).toMatchObject({ size: 100, filled: 0, status: 'new', price: 100_000 });
    expect(queryOrderParams('LTCBTC', 'myOrder1')).toEqual({
      symbol: 'LTCBTC',
      origClientOrderId: 'myOrder1',
    });
  });

  it('ranks later states higher: partial fill, then fill, then a repeat ranks the same', () => {
    const base = mexcFixture('cancel-all.json') as Record<string, unknown>[];
    const item = { ...base[0]!, time: 1, updateTime: 2 };
    const open = parseOrder(btcUsdtSample, { ...item, status: 'NEW' });
    const part = parseOrder(btcUsdtSample, { ...item, status: 'PARTIALLY_FILLED', executedQty: '0.000100' });
    const done = parseOrder(btcUsdtSample, {
      ...item,
      status: 'PARTIALLY_CANCELED',
      executedQty: '0.000100',
    });
    expect(part.filled).toBe(100);
    expect(done.status).toBe('cancelled');
    expect(open.updateSeq).toBeLessThan(part.updateSeq);
    expect(part.updateSeq).toBeLessThan(done.updateSeq);
    expect(parseOrder(btcUsdtSample, { ...item, status: 'NEW' }).updateSeq).toBe(open.updateSeq);
  });

  it('tells an IOC and a market order that ended unfilled', () => {
    const base = {
      ...(mexcFixture('open-orders.json') as Record<string, unknown>[])[0]!,
      status: 'CANCELED',
    };
    expect(parseOrder(ltcBtc, { ...base, type: 'IMMEDIATE_OR_CANCEL' })).toMatchObject({
      timeInForce: 'ioc',
      reason: 'ioc_unfilled',
    });
    const market = parseOrder(ltcBtc, { ...base, type: 'MARKET', price: '0' });
    expect(market).toMatchObject({ orderType: 'market', price: undefined, reason: 'no_liquidity' });
    expect(parseOrder(ltcBtc, { ...base, type: 'LIMIT_MAKER' })).toMatchObject({
      timeInForce: 'post_only',
      reason: undefined,
    });
  });

  it('sizes a finished quote-amount market order by its fills, and refuses an open one', () => {
    const base = {
      ...(mexcFixture('open-orders.json') as Record<string, unknown>[])[0]!,
      type: 'MARKET',
      price: '0',
      origQty: '0',
    };
    expect(parseOrder(ltcBtc, { ...base, status: 'FILLED', executedQty: '0.5' })).toMatchObject({
      size: 50,
      filled: 50,
    });
    expectEngineError(() => parseOrder(ltcBtc, { ...base, status: 'NEW' }), /origQty is 0/);
  });

  it('names the field of a bad record', () => {
    const base = (mexcFixture('open-orders.json') as Record<string, unknown>[])[0]!;
    expectEngineError(() => parseOrder(ltcBtc, { ...base, status: 'EXPIRED' }), /MEXC order LTCBTC 1 status/);
    expectEngineError(
      () => parseOrder(ltcBtc, { ...base, price: '0.10000005' }),
      /MEXC order LTCBTC 1 price/,
    );
    expectEngineError(() => parseOrder(ltcBtc, { ...base, executedQty: '2.0' }), /exceeds origQty/);
    expectEngineError(
      () => parseOrder(ltcBtc, { ...base, symbol: 'BNBBTC' }),
      /symbol BNBBTC given to the LTCBTC parser/,
    );
    expectEngineError(
      () => parseOrder(ltcBtc, { ...base, updateTime: null, time: null }),
      /neither updateTime nor time/,
    );
    expectEngineError(() => parseOrder(ltcBtc, { ...base, side: 'buy' }), /side/);
    expectEngineError(() => parseOrder(ltcBtc, { ...base, origQty: undefined }), /origQty is missing/);
  });
});

describe('MEXC trades', () => {
  const doc = (mexcFixture('my-trades.json') as Record<string, unknown>[])[0]!;

  it('reads the documented trade into a Fill with an exact fee', () => {
    expect(parseTrade(bnbBtc, doc)).toEqual({
      type: 'fill',
      symbol: 'BNBBTC',
      execId: 'fad2af9e942049b6adbda1a271f990c6',
      clientId: '',
      venueOrderId: 'bb41e5663e124046bd9497a3f5692f39',
      side: 'buy',
      price: 40_000_010,
      size: 1200,
      fee: '10.1',
      feeAsset: 'BNB',
      liquidity: 'taker',
      ts: 1499865549590,
    });
    expect(parseTrade(bnbBtc, { ...doc, isMaker: true, isBuyer: false, clientOrderId: 'c9' })).toMatchObject({
      liquidity: 'maker',
      side: 'sell',
      clientId: 'c9',
    });
    expectEngineError(
      () => parseTrade(bnbBtc, { ...doc, commission: '1e-3' }),
      /MEXC trade BNBBTC fad2af9e942049b6adbda1a271f990c6 commission/,
    );
    expectEngineError(() => parseTrade(bnbBtc, { ...doc, isMaker: 'no' }), /isMaker/);
  });

  function trade(id: number, time: number): Record<string, unknown> {
    return { ...doc, id: `t${String(id).padStart(4, '0')}`, time };
  }

  it('reads executions since a time, oldest first, each once, across full pages (oldest-first venue)', async () => {
    const all = Array.from({ length: 250 }, (_, i) => trade(i, 1_000_000 + i * 10));
    const asked: Record<string, string | number>[] = [];
    const fills = await fetchTradesSince({
      inst: bnbBtc,
      sinceMs: 1_000_000,
      nowMs: 1_100_000,
      page: (p) => {
        asked.push(p);
        const inRange = all.filter(
          (t) => (t.time as number) >= (p.startTime as number) && (t.time as number) <= (p.endTime as number),
        );
        return Promise.resolve(inRange.slice(0, p.limit as number));
      },
    });
    expect(fills.map((f) => f.execId)).toEqual(all.map((t) => t.id));
    expect(asked[0]).toEqual({
      symbol: 'BNBBTC',
      startTime: 1_000_000,
      endTime: 1_100_000,
      limit: TRADES_PAGE,
    });
  });

  it('reads them all from a newest-first venue too', async () => {
    const all = Array.from({ length: 230 }, (_, i) => trade(i, 2_000_000 + i * 3));
    const fills = await fetchTradesSince({
      inst: bnbBtc,
      sinceMs: 2_000_000,
      nowMs: 3_000_000,
      page: (p) => {
        const inRange = all.filter(
          (t) => (t.time as number) >= (p.startTime as number) && (t.time as number) <= (p.endTime as number),
        );
        return Promise.resolve(inRange.reverse().slice(0, p.limit as number));
      },
    });
    expect(fills).toHaveLength(230);
    expect(fills.map((f) => f.ts)).toEqual([...fills.map((f) => f.ts)].sort((a, b) => a - b));
  });

  it('keeps to the venue’s month of history and to the range asked', async () => {
    const now = 50 * 86_400_000;
    const asked: Record<string, string | number>[] = [];
    const fills = await fetchTradesSince({
      inst: bnbBtc,
      sinceMs: 0,
      nowMs: now,
      page: (p) => {
        asked.push(p);
        return Promise.resolve([trade(1, now - 1000), trade(2, now + 5000)]);
      },
    });
    expect(asked[0]!.startTime).toBe(now - TRADES_HISTORY_MS);
    expect(fills.map((f) => f.execId)).toEqual(['t0001']);
  });

  it('stops with an error when more than a page falls in one millisecond', async () => {
    const same = Array.from({ length: TRADES_PAGE }, (_, i) => trade(i, 5_000));
    await expectRejects(
      fetchTradesSince({ inst: bnbBtc, sinceMs: 5_000, nowMs: 9_000, page: () => Promise.resolve(same) }),
      /over 100 trades in one millisecond/,
    );
  });

  it('lets a page failure through', async () => {
    await expect(
      fetchTradesSince({
        inst: bnbBtc,
        sinceMs: 0,
        nowMs: 10,
        page: () => Promise.reject(new Error('down')),
      }),
    ).rejects.toThrow('down');
  });
});

describe('MEXC account', () => {
  it('reads balances with total = free + locked, exactly', () => {
    expect(parseAccount(mexcFixture('account.json'))).toEqual([
      { asset: 'NBNTEST', total: '1111111', free: '1111078' },
      { asset: 'MAIN', total: '1020000', free: '1020000' },
    ]);
    expect(parseAccount({ balances: [{ asset: 'USDT', free: '0.1', locked: '0.2' }] })).toEqual([
      { asset: 'USDT', total: '0.3', free: '0.1' },
    ]);
    expectEngineError(
      () => parseAccount({ balances: [{ asset: 'USDT', free: '1', locked: 'x' }] }),
      /MEXC balance USDT locked/,
    );
    expectEngineError(() => parseAccount({}), /MEXC account balances/);
  });
});
