import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BybitSim } from '../../../engine/simulators/bybit/sim.ts';
import { signRest } from '../../../engine/venues/bybit/sign.ts';
import { KEY, publicGet, rawRequest, SECRET, sign, signedGet, signedPost, startSim } from './bybit-client.ts';

let sim: BybitSim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

describe('Bybit simulator REST authentication (A2)', () => {
  it('signs like the adapter: our node:crypto signature equals signRest', () => {
    const payload = 'category=option&symbol=BTC-29JUL22-25000-C';
    expect(sign(SECRET, '1658384314791', KEY, '5000', payload)).toBe(
      signRest(SECRET, '1658384314791', KEY, '5000', payload),
    );
  });

  it('accepts a signed GET and stamps the rate-limit headers', async () => {
    const res = await signedGet(sim, '/v5/account/wallet-balance', 'accountType=UNIFIED');
    expect(res.status).toBe(200);
    expect(res.body.retCode).toBe(0);
    expect(typeof res.body.time).toBe('number');
    expect(res.headers['x-bapi-limit']).toBe('50');
    expect(Number(res.headers['x-bapi-limit-status'])).toBeLessThan(50);
    expect(Number(res.headers['x-bapi-limit-reset-timestamp'])).toBeGreaterThan(0);
    const coins = res.body.result.list[0].coin as { coin: string; walletBalance: string }[];
    const usdt = coins.find((c) => c.coin === 'USDT');
    expect(usdt?.walletBalance).toBe('1000000');
  });

  it('signs the query exactly as sent: unsorted, with an encoded comma', async () => {
    const res = await signedGet(sim, '/v5/account/wallet-balance', 'coin=USDT%2CBTC&accountType=UNIFIED');
    expect(res.body.retCode).toBe(0);
    expect((res.body.result.list[0].coin as { coin: string }[]).map((c) => c.coin)).toEqual(['BTC', 'USDT']);
  });

  it('signs the raw POST body, whitespace included', async () => {
    const res = await signedPost(sim, '/v5/order/cancel-all', '{"category": "spot",  "symbol":"BTCUSDT"}');
    expect(res.body).toMatchObject({ retCode: 0, result: { list: [], success: '1' } });
  });

  it('enforces serverTime - recvWindow <= timestamp < serverTime + 1000 with 10002', async () => {
    const now = Date.now();
    const old = await signedGet(sim, '/v5/order/realtime', 'category=spot', { timestamp: now - 6000 });
    expect(old.status).toBe(200);
    expect(old.body.retCode).toBe(10002);
    expect(old.body.retMsg).toMatch(
      /^invalid request, please check your server timestamp or recv_window param\. req_timestamp\[\d+\],server_timestamp\[\d+\],recv_window\[5000\]$/,
    );
    const ahead = await signedGet(sim, '/v5/order/realtime', 'category=spot', { timestamp: now + 1500 });
    expect(ahead.body.retCode).toBe(10002);
    const wide = await signedGet(sim, '/v5/order/realtime', 'category=spot', {
      timestamp: now - 6000,
      recvWindow: '20000',
    });
    expect(wide.body.retCode).toBe(0);
  });

  it('refuses an unknown key with 10003 and a bad signature with 10004, HTTP 200 and the envelope', async () => {
    const unknown = await signedGet(sim, '/v5/order/realtime', 'category=spot', { key: 'nobody' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ retCode: 10003, result: {}, retExtInfo: {} });
    const bad = await signedGet(sim, '/v5/order/realtime', 'category=spot', { secret: 'wrong' });
    expect(bad.status).toBe(200);
    expect(bad.body.retCode).toBe(10004);
    expect(bad.body.retMsg).toMatch(/^error sign! origin_string\[\d+sim-test-key5000category=spot\]$/);
    expect(bad.text).not.toContain(SECRET);
    // A body changed after signing fails too: the signature covers the bytes received.
    const ts = String(Date.now());
    const signed = '{"category":"spot"}';
    const tampered = await rawRequest(
      sim.rest,
      'POST',
      '/v5/order/cancel-all',
      {
        'X-BAPI-API-KEY': KEY,
        'X-BAPI-TIMESTAMP': ts,
        'X-BAPI-RECV-WINDOW': '5000',
        'X-BAPI-SIGN': sign(SECRET, ts, KEY, '5000', signed),
        'Content-Type': 'application/json',
      },
      '{"category": "spot"}',
    );
    expect(tampered.body.retCode).toBe(10004);
  });

  it('refuses missing auth headers, a GET with a body (403), and unknown paths (404)', async () => {
    const bare = await publicGet(sim, '/v5/order/realtime?category=spot');
    expect(bare.body.retCode).toBe(10001);
    const withBody = await rawRequest(
      sim.rest,
      'GET',
      '/v5/market/time',
      { 'Content-Type': 'application/json' },
      '{}',
    );
    expect(withBody.status).toBe(403);
    const nowhere = await publicGet(sim, '/v5/nowhere');
    expect(nowhere.status).toBe(404);
  });

  it('enforces the per-second quota per endpoint and category with 10006', async () => {
    // Ten linear creates per second; refused creates still count.
    const bad = {
      category: 'linear',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      qty: '0',
      price: '1000.0',
    };
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push(await signedPost(sim, '/v5/order/create', bad));
    expect(answers.slice(0, 10).every((a) => a.body.retCode === 10001)).toBe(true);
    expect(answers[0]!.headers['x-bapi-limit']).toBe('10');
    expect(answers[9]!.headers['x-bapi-limit-status']).toBe('0');
    expect(answers[10]!.body).toMatchObject({ retCode: 10006, retMsg: 'Too many visits!' });
    // Spot has its own quota of 20.
    const spot = await signedPost(sim, '/v5/order/create', { ...bad, category: 'spot' });
    expect(spot.headers['x-bapi-limit']).toBe('20');
    expect(spot.body.retCode).not.toBe(10006);
  });

  it('answers public market data without auth', async () => {
    const time = await publicGet(sim, '/v5/market/time');
    expect(time.body.retCode).toBe(0);
    expect(time.body.result.timeNano).toBe(
      `${time.body.result.timeSecond as string}${(time.body.result.timeNano as string).slice(-9)}`,
    );
    expect(time.headers['x-bapi-limit']).toBeUndefined();
  });
});
