import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { KEY, SECRET, startSim } from './bybit-client.ts';

let sim: BybitSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

/** ccxt's bybit URLs, REST and WebSocket, pointed at the simulator. */
function simUrls(s: BybitSim): Record<string, unknown> {
  const ws = (path: string): string => `${s.ws}${path}`;
  return {
    api: {
      public: s.rest,
      private: s.rest,
      spot: s.rest,
      futures: s.rest,
      v2: s.rest,
      ws: {
        public: {
          spot: ws('/v5/public/spot'),
          linear: ws('/v5/public/linear'),
          inverse: ws('/v5/public/inverse'),
          option: ws('/v5/public/option'),
        },
        private: {
          spot: { unified: ws('/v5/private'), nonUnified: ws('/v5/private') },
          contract: ws('/v5/private'),
          usdc: ws('/v5/private'),
          trade: ws('/v5/trade'),
        },
      },
    },
  };
}

describe('ccxt bybit against the simulator', () => {
  it('loads markets, reads the book and balance, places, lists and cancels a post-only order', async () => {
    const exchange = new ccxt.bybit({ apiKey: KEY, secret: SECRET, urls: simUrls(sim) });
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
    const wrong = new ccxt.bybit({ apiKey: KEY, secret: 'not-the-secret', urls: simUrls(sim) });
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('watches the order book over the public WebSocket', async () => {
    const pro = new ccxt.pro.bybit({ urls: simUrls(sim) });
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
