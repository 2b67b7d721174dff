import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { ccxtMexc, ccxtProMexc } from '../../support/ccxt-mexc.ts';
import { KEY, SECRET, startSim } from './mexc-client.ts';

let sim: MexcSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

describe('ccxt mexc against the simulator', () => {
  it('loads markets, reads the book and balance, places, lists and cancels a post-only order', async () => {
    const exchange = ccxtMexc(sim, KEY, SECRET);
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets)).toEqual(expect.arrayContaining(['BTC/USDT', 'ETH/USDT', 'LUNA/USDT']));
    expect(markets['BTC/USDT']).toMatchObject({
      active: true,
      precision: { price: 0.01, amount: 0.000001 },
      limits: { amount: { min: 0.000001 }, cost: { min: 1 } },
      taker: 0.0005,
    });
    expect(markets['LUNA/USDT']!.active).toBe(false);

    const book = await exchange.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids.length).toBe(5);
    expect(book.bids[0]![0]!).toBeLessThan(book.asks[0]![0]!);
    expect(book.nonce).toBeGreaterThan(0);

    const balance = await exchange.fetchBalance();
    expect(balance['USDT']?.total).toBe(1_000_000);
    expect(balance['BTC']?.free).toBe(10);

    const order = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000, { postOnly: true });
    expect(order.id).toMatch(/^C02__\d+$/);
    const open = await exchange.fetchOpenOrders('BTC/USDT');
    // ccxt reads LIMIT_MAKER as time in force "POST_ONLY" (and so leaves its postOnly flag false).
    expect(open.find((o) => o.id === order.id)).toMatchObject({
      status: 'open',
      price: 30000,
      amount: 0.001,
      side: 'buy',
      timeInForce: 'POST_ONLY',
      info: { type: 'LIMIT_MAKER' },
    });
    expect((await exchange.fetchBalance())['USDT']?.used).toBeGreaterThan(0);
    await exchange.cancelOrder(order.id!, 'BTC/USDT');
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('turns a wrong secret into AuthenticationError', async () => {
    const wrong = ccxtMexc(sim, KEY, 'not-the-secret');
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('watches the order book over the protobuf WebSocket', async () => {
    const pro = ccxtProMexc(sim);
    // ccxt refuses plain ws:// URLs until its http agent is loaded (no proxy is involved).
    await pro.loadHttpProxyAgent();
    try {
      const first = await pro.watchOrderBook('BTC/USDT');
      expect(first.bids.length).toBeGreaterThan(0);
      expect(first.asks.length).toBeGreaterThan(0);
      const later = await pro.watchOrderBook('BTC/USDT');
      expect(later.bids[0]![0]!).toBeLessThan(later.asks[0]![0]!);
      expect(later.nonce).toBeGreaterThan(0);
    } finally {
      await pro.close();
    }
  });
});
