import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMexc, withoutSignature } from '../../../engine/simulators/mexc/auth.ts';
import type { MexcSim } from '../../../engine/simulators/mexc/sim.ts';
import { hmac, KEY, publicGet, SECRET, signed, startSim } from './mexc-client.ts';

let sim: MexcSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

describe('MEXC simulator signing (B3)', () => {
  it('signs like the doc example (examples 2 and 3)', () => {
    const secret = '45d0b3c26f2644f19bfb98b07741b2f5';
    const total =
      'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087';
    expect(signMexc(secret, total)).toBe('fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a');
    expect(
      signMexc(
        secret,
        'symbol=BTCUSDT&side=BUY&type=LIMITquantity=1&price=11&recvWindow=5000&timestamp=1644489390087',
      ),
    ).toBe('d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592');
    expect(withoutSignature('a=1&signature=ff&b=%2C')).toBe('a=1&b=%2C');
  });

  it('accepts a good signature and answers with the bare object', async () => {
    const res = await signed(sim, 'GET', '/api/v3/account');
    expect(res.status).toBe(200);
    expect(res.body.accountType).toBe('SPOT');
    expect(res.body.balances).toEqual(
      expect.arrayContaining([
        { asset: 'USDT', free: '1000000', locked: '0' },
        { asset: 'BTC', free: '10', locked: '0' },
      ]),
    );
  });

  it('signs the query and a form body joined with no separator (doc example 3)', async () => {
    const res = await signed(
      sim,
      'POST',
      '/api/v3/order/test',
      { symbol: 'BTCUSDT', side: 'BUY' },
      {
        form: 'type=LIMIT&quantity=0.001&price=30000',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    // The same form, signed as if joined with "&": refused.
    const ts = String(Date.now());
    const query = `symbol=BTCUSDT&side=BUY&timestamp=${ts}`;
    const form = 'type=LIMIT&quantity=0.001&price=30000';
    const wrong = await fetch(
      `${sim.rest}/api/v3/order/test?${query}&signature=${hmac(SECRET, `${query}&${form}`)}`,
      {
        method: 'POST',
        headers: { 'X-MEXC-APIKEY': KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
      },
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: 700002 });
  });

  it('verifies the exact bytes received: percent-escapes stay as sent', async () => {
    const ts = Date.now();
    // An upper-case escape of ',' signed as transmitted passes; decoding it before signing would fail.
    const query = `symbol=BTCUSDT%2CETHUSDT&timestamp=${ts}`;
    const res = await fetch(`${sim.rest}/api/v3/openOrders?${query}&signature=${hmac(SECRET, query)}`, {
      headers: { 'X-MEXC-APIKEY': KEY },
    });
    // The symbol list is not one symbol, so the request fails past authentication.
    expect(await res.json()).toMatchObject({ code: 30014 });
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-secret' }, 700002, 'Signature for this request is not valid.'],
    [
      'a stale timestamp',
      { timestamp: Date.now() - 10_000 },
      700003,
      'Timestamp for this request is outside of the recvWindow.',
    ],
    [
      'a timestamp a second ahead',
      { timestamp: Date.now() + 5000 },
      700003,
      'Timestamp for this request is outside of the recvWindow.',
    ],
    ['recvWindow above 60000', { recvWindow: '60001' }, 700005, 'recvWindow must less than 60000'],
    [
      'no signature',
      { unsigned: true },
      700004,
      "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    ],
    ['an unknown key', { key: 'mx0unknownkey' }, 10072, 'Api key info invalid'],
    ['a malformed key', { key: 'not a key!' }, 700001, 'API-key format invalid.'],
    ['no key', { key: null }, 400, 'api key required'],
  ] as const)('refuses %s with HTTP 400 and its code', async (_what, options, code, msg) => {
    const res = await signed(sim, 'GET', '/api/v3/account', {}, options);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code, msg });
  });

  it('takes a stale timestamp inside a longer recvWindow, up to 60000', async () => {
    const res = await signed(
      sim,
      'GET',
      '/api/v3/account',
      {},
      { timestamp: Date.now() - 30_000, recvWindow: '60000' },
    );
    expect(res.status).toBe(200);
  });

  it('never echoes the secret or the expected signature in a refusal', async () => {
    const res = await signed(sim, 'GET', '/api/v3/account', {}, { secret: 'other' });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(JSON.stringify(res.body)).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe('MEXC simulator public endpoints', () => {
  it('serves ping, time, defaultSymbols and exchangeInfo', async () => {
    expect((await publicGet(sim, '/api/v3/ping')).body).toEqual({});
    const time = (await publicGet(sim, '/api/v3/time')).body;
    expect(Math.abs(time.serverTime - Date.now())).toBeLessThan(2000);
    expect((await publicGet(sim, '/api/v3/defaultSymbols')).body).toEqual({
      code: 200,
      data: ['BTCUSDT', 'ETHUSDT'],
      msg: null,
    });
    const info = (await publicGet(sim, '/api/v3/exchangeInfo')).body;
    const bySymbol = Object.fromEntries(
      (info.symbols as { symbol: string }[]).map((s) => [s.symbol, s as Record<string, unknown>]),
    );
    expect(bySymbol['BTCUSDT']).toMatchObject({
      status: '1',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      baseAssetPrecision: 6,
      quotePrecision: 2,
      quoteAssetPrecision: 2,
      baseSizePrecision: '0.000001',
      quoteAmountPrecision: '1',
      orderTypes: ['LIMIT', 'MARKET', 'LIMIT_MAKER', 'IMMEDIATE_OR_CANCEL', 'FILL_OR_KILL'],
      makerCommission: '0',
      takerCommission: '0.0005',
      tradeSideType: '1',
      filters: [],
    });
    expect(bySymbol['ETHUSDT']).toMatchObject({ status: '1', baseAssetPrecision: 5 });
    expect(bySymbol['LUNAUSDT']).toMatchObject({ status: '2', isSpotTradingAllowed: false });
    const one = (await publicGet(sim, '/api/v3/exchangeInfo?symbols=ETHUSDT,BTCUSDT')).body;
    expect((one.symbols as { symbol: string }[]).map((s) => s.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
    expect((await publicGet(sim, '/api/v3/exchangeInfo?symbol=DOGEUSDT')).body).toEqual({
      code: 10007,
      msg: 'bad symbol',
    });
  });

  it('serves depth, trades and the book ticker as strings', async () => {
    const depth = await publicGet(sim, '/api/v3/depth?symbol=BTCUSDT&limit=5');
    expect(depth.status).toBe(200);
    expect(Number.isSafeInteger(depth.body.lastUpdateId)).toBe(true);
    expect(depth.body.bids).toHaveLength(5);
    const [bid] = depth.body.bids as [string, string][];
    const [ask] = depth.body.asks as [string, string][];
    expect(bid![0]).toMatch(/^\d+\.\d{2}$/);
    expect(bid![1]).toMatch(/^\d+\.\d{6}$/);
    expect(Number(bid![0])).toBeLessThan(Number(ask![0]));
    expect((await publicGet(sim, '/api/v3/depth?symbol=NOPE')).body).toEqual({
      code: 10007,
      msg: 'bad symbol',
    });
    expect((await publicGet(sim, '/api/v3/depth?symbol=BTCUSDT&limit=5001')).status).toBe(400);

    const ticker = (await publicGet(sim, '/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body;
    expect(Object.keys(ticker as object)).toEqual(['symbol', 'bidPrice', 'bidQty', 'askPrice', 'askQty']);
    const all = (await publicGet(sim, '/api/v3/ticker/bookTicker')).body;
    expect((all as { symbol: string }[]).map((t) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'LUNAUSDT']);

    // The background flow prints trades; give it a moment.
    await new Promise((r) => setTimeout(r, 1500));
    const trades = (await publicGet(sim, '/api/v3/trades?symbol=BTCUSDT&limit=3')).body;
    expect(trades.length).toBeGreaterThan(0);
    expect(trades[0]).toMatchObject({ isBestMatch: true });
    expect(['BID', 'ASK']).toContain(trades[0].tradeType);
  });

  it('answers an unknown path 404', async () => {
    expect((await publicGet(sim, '/api/v3/nothing')).status).toBe(404);
  });
});

describe('MEXC simulator rate limit (B6)', () => {
  it('answers 429 with Retry-After once an endpoint spends its budget, per endpoint', async () => {
    const small = await startSim({ rateLimit: { budget: 12, windowMs: 3000 } });
    try {
      // exchangeInfo weighs 10: the second request does not fit a budget of 12.
      expect((await publicGet(small, '/api/v3/exchangeInfo')).status).toBe(200);
      const refused = await publicGet(small, '/api/v3/exchangeInfo');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ code: 429, msg: 'Too many requests' });
      const retry = Number(refused.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(3);
      // Another endpoint has its own budget; a signed one counts per UID.
      expect((await publicGet(small, '/api/v3/time')).status).toBe(200);
      // GET /api/v3/order weighs 2: six fit (each refused for its own reason), the seventh does not.
      const query = { symbol: 'BTCUSDT', orderId: 'C02__1' };
      for (let i = 0; i < 6; i++) {
        expect((await signed(small, 'GET', '/api/v3/order', query)).body).toEqual({
          code: -2013,
          msg: 'Order does not exist.',
        });
      }
      expect((await signed(small, 'GET', '/api/v3/order', query)).status).toBe(429);
    } finally {
      await small.close();
    }
  });
});
