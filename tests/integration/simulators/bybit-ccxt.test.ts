import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { ccxtUrls } from '../../support/ccxt-bybit.ts';
import { KEY, SECRET, startSim } from './bybit-client.ts';

let sim: BybitSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

describe('ccxt bybit against the simulator', () => {
  it('loads markets, reads the book and balance, places, lists and cancels a post-only order', async () => {
    const exchange = new ccxt.bybit({ apiKey: KEY, secret: SECRET, urls: ccxtUrls(sim) });
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets)).toEqual(
      expect.arrayContaining(['BTC/USDT', 'ETH/USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT']),
    );
    expect(markets['BTC/USDT']!.precision.price).toBe(0.1);
    expect(markets['BTC/USDT:USDT']!.limits.cost?.min).toBe(5);

    const book = await exchange.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids.length).toBe(5);
    expect(book.bids[0]![0]!).toBeLessThan(book.asks[0]![0]!);

    const balance = await exchange.fetchBalance();
    expect(balance['USDT']?.total).toBe(1_000_000);
    expect(balance['BTC']?.total).toBe(10);

    const order = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000, { postOnly: true });
    expect(order.id).toMatch(/^\d+$/);
    const open = await exchange.fetchOpenOrders('BTC/USDT');
    const mine = open.find((o) => o.id === order.id);
    expect(mine).toMatchObject({ status: 'open', price: 30000, amount: 0.001, postOnly: true, side: 'buy' });
    const used = (await exchange.fetchBalance())['USDT']?.used;
    expect(used).toBeGreaterThan(0);
    await exchange.cancelOrder(order.id!, 'BTC/USDT');
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);

    const perp = await exchange.createOrder('BTC/USDT:USDT', 'limit', 'sell', 0.002, 90000, {
      postOnly: true,
    });
    expect((await exchange.fetchOpenOrders('BTC/USDT:USDT')).map((o) => o.id)).toEqual([perp.id]);
    await exchange.cancelOrder(perp.id!, 'BTC/USDT:USDT');
  });

  it('turns a wrong secret into AuthenticationError', async () => {
    const wrong = new ccxt.bybit({ apiKey: KEY, secret: 'not-the-secret', urls: ccxtUrls(sim) });
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('watches the order book over the public WebSocket', async () => {
    const pro = new ccxt.pro.bybit({ urls: ccxtUrls(sim) });
    // ccxt refuses plain ws:// URLs until its http agent is loaded (no proxy is involved).
    await pro.loadHttpProxyAgent();
    try {
      const first = await pro.watchOrderBook('BTC/USDT');
      expect(first.bids.length).toBeGreaterThan(0);
      expect(first.asks.length).toBeGreaterThan(0);
      const later = await pro.watchOrderBook('BTC/USDT');
      expect(later.bids[0]![0]!).toBeLessThan(later.asks[0]![0]!);
      const perp = await pro.watchOrderBook('ETH/USDT:USDT');
      expect(perp.bids.length).toBeGreaterThan(0);
    } finally {
      await pro.close();
    }
  });
});
