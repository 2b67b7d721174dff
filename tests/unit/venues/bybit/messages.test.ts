import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { defineInstrument } from '../../../../engine/core/instrument.ts';
import { OrderBook } from '../../../../engine/market/order-book.ts';
import { rejectFromRetCode } from '../../../../engine/venues/bybit/codes.ts';
import {
  orderUpdateSeq,
  parseBatchResults,
  parseBookFrame,
  parseBookRest,
  parseEnvelope,
  parseExecution,
  parseOrder,
  parsePosition,
  parsePrivateFrame,
  parsePublicTrade,
  parseTradeFrame,
  parseWalletAccount,
  parseWalletResult,
} from '../../../../engine/venues/bybit/messages.ts';
import {
  btcLinear,
  btcSpot,
  ethLinear,
  ethPerp,
  expectEngineError,
  fixture,
  fixtureItem,
} from './helpers.ts';

const openOrder = fixtureItem('order-rest-open.json');
const postOnly = fixtureItem('order-rest-postonly-cancelled.json');

/** The documented open ETHUSDT order with some fields replaced. */
const order = (fields: Record<string, unknown>): Record<string, unknown> => ({ ...openOrder, ...fields });

describe('Bybit envelope and frames', () => {
  it('reads the REST envelope and refuses a body without retCode', () => {
    const env = parseEnvelope(fixture('order-rest-open.json'));
    expect(env).toMatchObject({ retCode: 0, retMsg: 'OK', time: 1684765770483 });
    expectEngineError(() => parseEnvelope({ retMsg: 'OK' }), /Bybit response retCode/);
    expectEngineError(() => parseEnvelope('<html>'), /Bybit response/);
  });

  it('pairs batch results with their per-item codes', () => {
    const items = parseBatchResults(parseEnvelope(fixture('batch-cancel.json')));
    expect(items.map((i) => [i.code, i.msg])).toEqual([
      [0, 'OK'],
      [170213, 'Order does not exist.'],
    ]);
    expect(rejectFromRetCode(items[1]!.code, items[1]!.msg).code).toBe('unknown_order');
    const env = parseEnvelope(fixture('batch-cancel.json'));
    expectEngineError(() => parseBatchResults({ ...env, retExtInfo: { list: [] } }), /2 results, 0 codes/);
  });

  it('reads a private push and its items', () => {
    const frame = parsePrivateFrame(fixture('order-ws-option.json'));
    expect(frame.topic).toBe('order');
    expect(frame.creationTime).toBe(1672364262474);
    expect(frame.data).toHaveLength(1);
    expectEngineError(() => parsePrivateFrame({ topic: 'order', data: {} }), /creationTime|data/);
  });
});

describe('Bybit order objects', () => {
  it('converts the documented open order exactly', () => {
    const u = parseOrder(ethLinear, 'linear', openOrder);
    expect(u).toEqual({
      type: 'order',
      symbol: 'ETHUSDT',
      clientId: 'test-000005',
      venueOrderId: 'fd4300ae-7847-404e-b947-b46980a4d140',
      side: 'buy',
      orderType: 'limit',
      timeInForce: 'gtc',
      status: 'new',
      price: 160000,
      size: 10,
      filled: 0,
      ts: 1684738540561,
      updateSeq: 1684738540561 * 2048,
    });
    expect('reason' in u).toBe(false);
  });

  it('reads the documented post-only that would have crossed as cancelled, post_only_would_take', () => {
    const u = parseOrder(btcLinear, 'linear', postOnly);
    expect(u).toMatchObject({
      status: 'cancelled',
      timeInForce: 'post_only',
      reason: 'post_only_would_take',
      price: 268644,
      size: 3,
      filled: 0,
      clientId: 'YLxaWKMiHU',
    });
    expect(u.updateSeq).toBe(1684476068372 * 2048 + 1);
  });

  it('maps every order status of A8', () => {
    const statuses: [string, string][] = [
      ['New', 'new'],
      ['PartiallyFilled', 'partially_filled'],
      ['Filled', 'filled'],
      ['Cancelled', 'cancelled'],
      ['PartiallyFilledCanceled', 'cancelled'],
      ['Deactivated', 'cancelled'],
      ['Rejected', 'rejected'],
    ];
    for (const [orderStatus, status] of statuses) {
      expect(parseOrder(ethLinear, 'linear', order({ orderStatus })).status).toBe(status);
    }
    expectEngineError(
      () => parseOrder(ethLinear, 'linear', order({ orderStatus: 'Untriggered' })),
      /conditional/,
    );
    for (const orderStatus of ['Frozen', 'constructor', 'toString', '']) {
      expectEngineError(() => parseOrder(ethLinear, 'linear', order({ orderStatus })), /unknown orderStatus/);
    }
  });

  it('maps time in force: FOK never rests so it is an IOC, RPI is post-only', () => {
    const tif = (timeInForce: string) => parseOrder(ethLinear, 'linear', order({ timeInForce })).timeInForce;
    expect([tif('GTC'), tif('IOC'), tif('FOK'), tif('PostOnly'), tif('RPI')]).toEqual([
      'gtc',
      'ioc',
      'ioc',
      'post_only',
      'post_only',
    ]);
    expectEngineError(() => tif('GTD'), /timeInForce "GTD"/);
    expectEngineError(() => tif('hasOwnProperty'), /unknown timeInForce/);
  });

  it('refuses bad fields by name: off-grid price, UNKNOWN order type, wrong symbol or category', () => {
    expectEngineError(
      () => parseOrder(ethLinear, 'linear', order({ price: '1600.005' })),
      /ETHUSDT price/,
      /1600\.005/,
    );
    expectEngineError(() => parseOrder(ethLinear, 'linear', order({ qty: '0.105' })), /qty/);
    expectEngineError(() => parseOrder(ethLinear, 'linear', order({ orderType: 'UNKNOWN' })), /orderType/);
    expectEngineError(() => parseOrder(ethLinear, 'linear', order({ updatedTime: '' })), /updatedTime/);
    expectEngineError(
      () => parseOrder(ethLinear, 'linear', order({ orderLinkId: undefined })),
      /orderLinkId/,
    );
    expectEngineError(
      () => parseOrder(btcLinear, 'linear', openOrder),
      /ETHUSDT given to the BTCUSDT parser/,
    );
    expectEngineError(() => parseOrder(ethLinear, 'spot', order({ category: 'linear' })), /category linear/);
  });

  it('reads the documented WS push (an option) only for its own category', () => {
    const item = fixtureItem('order-ws-option.json');
    const opt = defineInstrument({ ...ethLinear.spec, symbol: 'ETH-30DEC22-1400-C', tickSize: '0.5' });
    expectEngineError(() => parseOrder(opt, 'linear', item), /category option, expected linear/);
    const u = parseOrder(opt, 'linear', { ...item, category: 'linear' });
    // A market order's price is a slippage guard, not a limit: not carried.
    expect(u).toMatchObject({
      orderType: 'market',
      timeInForce: 'ioc',
      status: 'filled',
      size: 100,
      filled: 100,
    });
    expect(u.price).toBeUndefined();
    expect(u.reason).toBeUndefined();
  });

  it('says why an order ended, from rejectReason first and cancelType next', () => {
    const reason = (fields: Record<string, unknown>) =>
      parseOrder(ethLinear, 'linear', order({ orderStatus: 'Cancelled', ...fields })).reason;
    expect(reason({ cancelType: 'CancelByUser' })).toBe('user');
    expect(reason({ cancelType: 'CancelByDCP' })).toBe('disconnect');
    expect(reason({ cancelType: 'CancelBySmp' })).toBe('self_trade');
    expect(reason({ cancelType: 'CancelByAdmin' })).toBe('other');
    expect(reason({ rejectReason: 'EC_BySelfMatch', cancelType: 'CancelByUser' })).toBe('self_trade');
    expect(reason({ timeInForce: 'IOC', cumExecQty: '0.05' })).toBe('ioc_unfilled');
    expect(reason({ timeInForce: 'IOC', rejectReason: 'EC_NoImmediateQtyToFill' })).toBe('ioc_unfilled');
    expect(reason({ orderType: 'Market', timeInForce: 'IOC', rejectReason: 'EC_NoImmediateQtyToFill' })).toBe(
      'no_liquidity',
    );
    expect(reason({})).toBeUndefined();
    // A10's race: a cancel that met a fill pushes Filled with CancelByUser + EC_OrigClOrdIDDoesNotExist.
    const raced = order({
      orderStatus: 'Filled',
      cumExecQty: '0.10',
      cancelType: 'CancelByUser',
      rejectReason: 'EC_OrigClOrdIDDoesNotExist',
    });
    expect(parseOrder(ethLinear, 'linear', raced)).toMatchObject({ status: 'filled', filled: 10 });
    expect(parseOrder(ethLinear, 'linear', raced).reason).toBeUndefined();
  });

  it('derives an update sequence that grows with time, then fills, then finality', () => {
    const t = '1684738540561';
    const pushes = [
      order({ updatedTime: t, orderStatus: 'New' }),
      order({ updatedTime: t, orderStatus: 'PartiallyFilled', cumExecQty: '0.03' }),
      order({ updatedTime: t, orderStatus: 'PartiallyFilled', cumExecQty: '0.07' }),
      order({ updatedTime: t, orderStatus: 'Filled', cumExecQty: '0.10' }),
    ];
    const seqs = pushes.map((p) => parseOrder(ethLinear, 'linear', p).updateSeq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    // Cancelling the rest in the same ms as the last partial fill still comes after it.
    const partial = parseOrder(ethLinear, 'linear', pushes[2]!).updateSeq;
    const cancelled = order({ updatedTime: t, orderStatus: 'Cancelled', cumExecQty: '0.07' });
    expect(parseOrder(ethLinear, 'linear', cancelled).updateSeq).toBe(partial + 1);
    // One ms later beats anything earlier; the same push twice gets the same number (a repeat).
    const later = parseOrder(ethLinear, 'linear', order({ updatedTime: '1684738540562' })).updateSeq;
    expect(later).toBeGreaterThan(seqs[3]!);
    expect(parseOrder(ethLinear, 'linear', pushes[1]!).updateSeq).toBe(seqs[1]);
    expect(Number.isSafeInteger(orderUpdateSeq(4_000_000_000_000, 2 ** 52, 2 ** 52, true))).toBe(true);
    expectEngineError(() => orderUpdateSeq(2 ** 50, 0, 1, false), /out of range/);
  });

  it('has no size for an open spot market buy stated in quote coin, and takes the fill once it is over', () => {
    const spot = (fields: Record<string, unknown>) =>
      order({
        symbol: 'BTCUSDT',
        orderType: 'Market',
        timeInForce: 'IOC',
        price: '0',
        qty: '100',
        ...fields,
      });
    expectEngineError(() => parseOrder(btcSpot, 'spot', spot({ cumExecQty: '0' })), /qty in USDT/);
    const done = parseOrder(
      btcSpot,
      'spot',
      spot({ orderStatus: 'Filled', cumExecQty: '0.001516', marketUnit: '' }),
    );
    expect(done).toMatchObject({ size: 1516, filled: 1516, status: 'filled' });
    const base = parseOrder(btcSpot, 'spot', spot({ qty: '0.002', cumExecQty: '0', marketUnit: 'baseCoin' }));
    expect(base.size).toBe(2000);
    // A market sell states base coin unless told otherwise.
    expect(parseOrder(btcSpot, 'spot', spot({ side: 'Sell', qty: '0.002', cumExecQty: '0' })).size).toBe(
      2000,
    );
  });
});

describe('Bybit executions', () => {
  it('converts the documented REST trade, filling in the settle coin as fee asset', () => {
    const e = parseExecution(ethPerp, 'linear', fixtureItem('execution-rest-linear.json'));
    expect(e).toEqual({
      kind: 'fill',
      fill: {
        type: 'fill',
        symbol: 'ETHPERP',
        execId: 'e0cbe81d-0f18-5866-9415-cf319b5dab3b',
        clientId: '',
        venueOrderId: '8c065341-7b52-4ca9-ac2c-37e31ac55c94',
        side: 'buy',
        price: 23803,
        size: 10,
        fee: '0.071409',
        feeAsset: 'USDC',
        liquidity: 'taker',
        ts: 1672282722429,
      },
    });
  });

  it('converts the documented WS trade', () => {
    const e = parseExecution(btcLinear, 'linear', fixtureItem('execution-ws-linear.json'));
    expect(e.kind === 'fill' && e.fill).toMatchObject({
      side: 'sell',
      price: 959001,
      size: 500,
      fee: '26.3725275',
      feeAsset: 'USDT',
      ts: 1746270400353,
    });
  });

  it('reports funding apart, with the venue sign', () => {
    const e = parseExecution(btcLinear, 'linear', fixtureItem('execution-rest-funding.json'));
    expect(e).toEqual({
      kind: 'funding',
      symbol: 'BTCUSDT',
      amount: '0.6364003',
      asset: 'USDT',
      ts: 1682553600000,
      execId: '11f1c4ed-ff20-4d73-acb7-96e43a917f25',
    });
  });

  it('passes other exec types on as ignored, with the type', () => {
    const item = { ...fixtureItem('execution-ws-linear.json'), execType: 'AdlTrade' };
    expect(parseExecution(btcLinear, 'linear', item)).toEqual({
      kind: 'ignored',
      execType: 'AdlTrade',
      symbol: 'BTCUSDT',
      execId: '0ab1bdf7-4219-438b-b30a-32ec863018f7',
    });
  });

  it('derives a spot fee asset by Bybit rule when feeCurrency is blank', () => {
    const base = {
      ...fixtureItem('execution-ws-linear.json'),
      category: 'spot',
      feeCurrency: '',
      execQty: '0.5',
    };
    const asset = (side: string, isMaker: boolean, feeRate: string) => {
      const e = parseExecution(btcSpot, 'spot', { ...base, side, isMaker, feeRate });
      return e.kind === 'fill' ? e.fill.feeAsset : e.kind;
    };
    expect(asset('Buy', false, '0.001')).toBe('BTC');
    expect(asset('Sell', false, '0.001')).toBe('USDT');
    expect(asset('Buy', true, '0.0002')).toBe('BTC');
    expect(asset('Buy', true, '-0.0001')).toBe('USDT');
    expect(asset('Sell', true, '-0.0001')).toBe('BTC');
  });

  it('refuses a trade without a fee (execution.fast) or off the grid', () => {
    const item = fixtureItem('execution-ws-linear.json');
    expectEngineError(() => parseExecution(btcLinear, 'linear', { ...item, execFee: undefined }), /execFee/);
    expectEngineError(
      () => parseExecution(btcLinear, 'linear', { ...item, execPrice: '95900.15' }),
      /execPrice/,
    );
    expectEngineError(() => parseExecution(btcLinear, 'linear', { ...item, execQty: '0' }), /execQty/);
    expectEngineError(() => parseExecution(btcLinear, 'spot', item), /category linear, expected spot/);
  });
});

describe('Bybit wallet and positions', () => {
  it('reads the documented REST and WS wallets', () => {
    const rest = parseWalletResult((fixture('wallet-rest.json') as { result: unknown }).result);
    expect(rest).toEqual([{ asset: 'BTC', total: '0', free: '0' }]);
    expect(parseWalletAccount(fixtureItem('wallet-ws.json'))).toEqual([
      { asset: 'BTC', total: '0.00102964', free: '0.00102964' },
    ]);
    expect(parseWalletResult({ list: [] })).toEqual([]);
  });

  it('computes free = walletBalance − locked exactly', () => {
    const coins = [
      { coin: 'USDT', walletBalance: '0.3', locked: '0.1' },
      { coin: 'BTC', walletBalance: '1.00000001', locked: '' },
    ];
    expect(parseWalletAccount({ coin: coins })).toEqual([
      { asset: 'USDT', total: '0.3', free: '0.2' },
      { asset: 'BTC', total: '1.00000001', free: '1.00000001' },
    ]);
    expectEngineError(
      () => parseWalletAccount({ coin: [{ coin: 'ETH', walletBalance: '1e3', locked: '0' }] }),
      /wallet ETH walletBalance/,
    );
  });

  it('reads the documented positions (REST inverse, WS flat linear)', () => {
    const btcUsd = defineInstrument({
      ...btcLinear.spec,
      symbol: 'BTCUSD',
      quote: 'USD',
      lotSize: '1',
      minSize: '1',
    });
    expect(parsePosition(btcUsd, fixtureItem('position-rest-inverse.json'))).toEqual({
      symbol: 'BTCUSD',
      side: 'sell',
      sizeLots: 300,
      avgPrice: '27464.50441675',
      positionIdx: 0,
      ts: 1697673600012,
    });
    expect(parsePosition(btcLinear, fixtureItem('position-ws-linear-flat.json'))).toEqual({
      symbol: 'BTCUSDT',
      side: 'flat',
      sizeLots: 0,
      avgPrice: '0',
      positionIdx: 2,
      ts: 1697682317038,
    });
  });

  it('refuses a position with size but no side', () => {
    const item = { ...fixtureItem('position-ws-linear-flat.json'), size: '0.5' };
    expectEngineError(() => parsePosition(btcLinear, item), /size 0.5 with no side/);
  });
});

describe('Bybit public trades and books', () => {
  it('reads the documented publicTrade push', () => {
    expect(parseTradeFrame(btcLinear, fixture('public-trade.json'))).toEqual([
      {
        symbol: 'BTCUSDT',
        tradeId: '20f43950-d8dd-5b31-9112-a178eb6023af',
        ts: 1672304486865,
        price: 165785,
        size: 1,
        aggressor: 'buy',
      },
    ]);
    expectEngineError(() => parseTradeFrame(ethLinear, fixture('public-trade.json')), /publicTrade/);
    const item = { T: 1, s: 'BTCUSDT', S: 'Sell', v: '0', p: '1.0', i: 'x' };
    expectEngineError(() => parsePublicTrade(btcLinear, item), /publicTrade\.BTCUSDT v/);
  });

  it('reads the documented snapshot and delta, seq = u, size 0 kept for deletion', () => {
    expect(parseBookFrame(btcLinear, fixture('orderbook-ws-snapshot.json'))).toEqual({
      kind: 'snapshot',
      symbol: 'BTCUSDT',
      seq: 18521288,
      ts: 1672304484978,
      bids: [[164935, 6]],
      asks: [[166110, 29]],
    });
    const delta = parseBookFrame(btcLinear, fixture('orderbook-ws-delta.json'));
    expect(delta).toMatchObject({ kind: 'delta', seq: 177400507, ts: 1687940967466 });
    expect(delta.bids[4]).toEqual([302400, 0]);
    expect(delta.asks[0]).toEqual([302487, 0]);
  });

  it('drives OrderBook: contiguous deltas apply, a skipped u is a gap, a u = 1 snapshot replaces', () => {
    const book = new OrderBook('BTCUSDT', new SimClock(0));
    const frame = (type: string, u: number, b: string[][], a: string[][]) =>
      parseBookFrame(btcLinear, {
        topic: 'orderbook.50.BTCUSDT',
        type,
        ts: 1,
        data: { s: 'BTCUSDT', b, a, u, seq: 9 },
      });
    expect(book.apply(parseBookFrame(btcLinear, fixture('orderbook-ws-snapshot.json')))).toBe('ok');
    expect(book.apply(frame('delta', 18521289, [['16493.50', '0']], [['16600.00', '1.000']]))).toBe('ok');
    expect(book.bestBid()).toBeUndefined();
    expect(book.bestAsk()).toBe(166000);
    expect(book.apply(frame('delta', 18521289, [], []))).toBe('stale');
    expect(book.apply(frame('delta', 18521291, [], []))).toBe('gap');
    expect(book.apply(frame('snapshot', 1, [['100.00', '2.000']], [['101.00', '3.000']]))).toBe('ok');
    expect([book.seq(), book.bestBid(), book.bestAsk(), book.status()]).toEqual([1, 1000, 1010, 'ok']);
    expect(book.apply(frame('delta', 2, [['100.10', '0.500']], []))).toBe('ok');
    expect(book.bestBid()).toBe(1001);
  });

  it('refuses a level off the grid by side and index, and a frame of another symbol', () => {
    const snap = fixture('orderbook-ws-snapshot.json') as { data: Record<string, unknown> };
    const bad = {
      ...snap,
      data: {
        ...snap.data,
        a: [
          ['16611.00', '0.029'],
          ['16611.05', '1'],
        ],
      },
    };
    expectEngineError(() => parseBookFrame(btcLinear, bad), /orderbook BTCUSDT a\[1\] price/, /16611\.05/);
    expectEngineError(() => parseBookFrame(btcLinear, { ...snap, topic: 'orderbook.50.BTCUSDTX' }), /topic/);
    expectEngineError(() => parseBookFrame(ethLinear, snap), /not an order book of ETHUSDT/);
    expectEngineError(() => parseBookFrame(btcLinear, { ...snap, type: 'patch' }), /type/);
    expectEngineError(() => parseBookFrame(btcLinear, { ...snap, data: { ...snap.data, u: 0 } }), /data\.u/);
  });

  it('reads the REST order book as a snapshot', () => {
    const spot2 = defineInstrument({ ...btcSpot.spec, tickSize: '0.01' });
    const snap = parseBookRest(spot2, (fixture('orderbook-rest.json') as { result: unknown }).result);
    expect(snap).toEqual({
      kind: 'snapshot',
      symbol: 'BTCUSDT',
      seq: 230704,
      ts: 1716863719031,
      bids: [[6548547, 47081829]],
      asks: [[6555770, 16606555]],
    });
  });
});
