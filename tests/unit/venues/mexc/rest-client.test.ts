import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { NO_CREDENTIALS, THROTTLED_LOCALLY, TRANSPORT_FAILED } from '../../../../engine/venues/mexc/codes.ts';
import { MexcRest, restError, type MexcRestOptions } from '../../../../engine/venues/mexc/rest-client.ts';
import { signaturesEqual, signMexc, splitSignature } from '../../../../engine/venues/mexc/sign.ts';
import { expectEngineError, localServer, mexcFixture, type Reply, type SeenRequest } from './rest-helpers.ts';

const KEY = 'mx0aBYs33eIilxBWC5';
const SECRET = '45d0b3c26f2644f19bfb98b07741b2f5';
const START = 1_700_000_000_000;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function setup(
  handle: (r: SeenRequest) => Reply,
  options: Partial<MexcRestOptions> = {},
): Promise<{ rest: MexcRest; seen: SeenRequest[]; clock: SimClock; url: string }> {
  const server = await localServer(handle);
  closers.push(server.close);
  const clock = new SimClock(START);
  const rest = new MexcRest({
    baseUrl: server.url,
    clock,
    credentials: { apiKey: KEY, apiSecret: SECRET },
    timeoutMs: 2000,
    ...options,
  });
  return { rest, seen: server.seen, clock, url: server.url };
}

function params(query: string): URLSearchParams {
  return new URLSearchParams(query);
}

describe('MexcRest: server time', () => {
  it('keeps the offset from /api/v3/time and stamps signed requests with it', async () => {
    const { rest, seen } = await setup((r) =>
      r.path === '/api/v3/time' ? { body: { serverTime: START + 1234 } } : { body: [] },
    );
    expect(rest.lastSyncAt()).toBeNull();
    expect(await rest.syncTime()).toBe(1234);
    expect(rest.clockOffsetMs()).toBe(1234);
    expect(rest.lastSyncAt()).toBe(START);
    await rest.signedGet('/api/v3/openOrders', { symbol: 'MXUSDT' });
    expect(params(seen[1]!.query).get('timestamp')).toBe(String(START + 1234));
  });

  it('reads the documented answer', async () => {
    const { rest } = await setup(() => ({ body: mexcFixture('server-time.json') }));
    expect(await rest.syncTime()).toBe(1645539742000 - START);
  });

  it('throws unavailable when the answer has no time', async () => {
    const { rest } = await setup(() => ({ body: { time: 1 } }));
    await expect(rest.syncTime()).rejects.toThrow(/no serverTime/);
  });
});

describe('MexcRest: signed requests', () => {
  it('puts every parameter, recvWindow, timestamp and signature in the query; body empty; key in the header', async () => {
    const { rest, seen } = await setup(() => ({ body: { orderId: 'x' } }));
    const answer = await rest.signedPost('/api/v3/order', {
      symbol: 'MXUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '50',
      price: '0.1',
      newClientOrderId: undefined,
    });
    expect(answer).toEqual({ ok: true, value: { orderId: 'x' }, httpStatus: 200 });
    const r = seen[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/api/v3/order');
    expect(r.body).toBe('');
    expect(r.headers['x-mexc-apikey']).toBe(KEY);
    expect(r.headers['content-type']).toBe('application/json');
    const { signed, signature } = splitSignature(r.query);
    expect(signed).toBe(
      `symbol=MXUSDT&side=BUY&type=LIMIT&quantity=50&price=0.1&recvWindow=5000&timestamp=${START}`,
    );
    expect(signaturesEqual(signMexc(SECRET, signed), signature ?? '')).toBe(true);
    // The secret itself never travels.
    expect(JSON.stringify(seen)).not.toContain(SECRET);
  });

  it('signs DELETE, PUT and a GET without parameters the same way', async () => {
    const { rest, seen } = await setup(() => ({ body: {} }));
    await rest.signedDelete('/api/v3/openOrders', { symbol: 'MXUSDT' });
    await rest.signedPut('/api/v3/userDataStream', { listenKey: 'k' });
    await rest.signedGet('/api/v3/account');
    expect(seen.map((r) => r.method)).toEqual(['DELETE', 'PUT', 'GET']);
    for (const r of seen) {
      const { signed, signature } = splitSignature(r.query);
      expect(signature).toBe(signMexc(SECRET, signed));
      expect(r.body).toBe('');
    }
    expect(splitSignature(seen[2]!.query).signed).toBe(`recvWindow=5000&timestamp=${START}`);
  });

  it('signs the percent-escaped batch JSON exactly as it arrives', async () => {
    const { rest, seen } = await setup(() => ({ body: [] }));
    const batch = JSON.stringify([{ symbol: 'MXUSDT', price: '0.1', newClientOrderId: 'a,b' }]);
    await rest.signedPost('/api/v3/batchOrders', { batchOrders: batch });
    const { signed, signature } = splitSignature(seen[0]!.query);
    expect(signed.startsWith('batchOrders=%5B%7B%22symbol%22%3A%22MXUSDT%22')).toBe(true);
    expect(signature).toBe(signMexc(SECRET, signed));
    expect(params(seen[0]!.query).get('batchOrders')).toBe(batch);
  });

  it('sends the configured recvWindow and refuses one past 60000 before any request', async () => {
    const { rest, seen } = await setup(() => ({ body: {} }), { recvWindowMs: 60_000 });
    await rest.signedGet('/api/v3/account');
    expect(params(seen[0]!.query).get('recvWindow')).toBe('60000');
    const clock = new SimClock();
    expectEngineError(
      () => new MexcRest({ baseUrl: 'http://x', clock, recvWindowMs: 60_001 }),
      /recvWindow/,
      /60000/,
    );
    expectEngineError(() => new MexcRest({ baseUrl: 'http://x', clock, recvWindowMs: 0 }), /recvWindow/);
  });

  it('answers a signed call without credentials locally', async () => {
    const { rest, seen } = await setup(() => ({ body: {} }), { credentials: undefined });
    expect(rest.hasCredentials()).toBe(false);
    const answer = await rest.signedGet('/api/v3/account');
    expect(answer).toMatchObject({ ok: false, code: NO_CREDENTIALS, httpStatus: 0 });
    expect(seen).toHaveLength(0);
  });

  it('measures the clock again on 700003 and sends once more, newly stamped', async () => {
    let times = 0;
    let orders = 0;
    const { rest, seen } = await setup((r) => {
      if (r.path === '/api/v3/time') {
        times++;
        return { body: { serverTime: START - 3000 } };
      }
      orders++;
      return orders === 1
        ? {
            status: 400,
            body: { code: 700003, msg: 'Timestamp for this request is outside of the recvWindow.' },
          }
        : { body: { orderId: 'ok' } };
    });
    const answer = await rest.signedPost('/api/v3/order', { symbol: 'MXUSDT' });
    expect(answer.ok).toBe(true);
    expect(times).toBe(1);
    expect(rest.clockOffsetMs()).toBe(-3000);
    expect(params(seen[0]!.query).get('timestamp')).toBe(String(START));
    expect(params(seen[2]!.query).get('timestamp')).toBe(String(START - 3000));
  });

  it('gives up after one resync', async () => {
    const { rest, seen } = await setup((r) =>
      r.path === '/api/v3/time'
        ? { body: { serverTime: START } }
        : { status: 400, body: { code: 700003, msg: 'outside' } },
    );
    expect(await rest.signedGet('/api/v3/account')).toEqual({
      ok: false,
      httpStatus: 400,
      code: 700003,
      msg: 'outside',
    });
    expect(seen.map((r) => r.path)).toEqual(['/api/v3/account', '/api/v3/time', '/api/v3/account']);
  });
});

describe('MexcRest: answers', () => {
  it('parses {code, msg} errors with their HTTP status, also under a 200', async () => {
    const { rest } = await setup((r) =>
      r.path === '/api/v3/order'
        ? {
            status: 400,
            body: {
              code: 30002,
              msg: 'The minimum transaction volume cannot be less than:0.5USDT',
              _extend: null,
            },
          }
        : { status: 200, body: { code: 30004, msg: 'Insufficient position' } },
    );
    expect(await rest.signedPost('/api/v3/order')).toEqual({
      ok: false,
      httpStatus: 400,
      code: 30002,
      msg: 'The minimum transaction volume cannot be less than:0.5USDT',
    });
    expect(await rest.signedGet('/api/v3/account')).toMatchObject({
      ok: false,
      httpStatus: 200,
      code: 30004,
    });
  });

  it('unwraps {code: 200, data} and keeps bare arrays and objects', async () => {
    const { rest } = await setup((r) =>
      r.path === '/api/v3/defaultSymbols' ? { body: mexcFixture('default-symbols.json') } : { body: [1, 2] },
    );
    const listed = await rest.get('/api/v3/defaultSymbols');
    expect(listed).toEqual({
      ok: true,
      value: ['GENE1USDT', 'SNTUSDT', 'SQUAWKUSDT', 'HEGICUSDT', 'GUMUSDT'],
      httpStatus: 200,
    });
    expect(await rest.get('/api/v3/depth', { symbol: 'MXUSDT', limit: 5 })).toMatchObject({
      ok: true,
      value: [1, 2],
    });
  });

  it('sends public GETs without key or signature', async () => {
    const { rest, seen } = await setup(() => ({ body: {} }));
    await rest.get('/api/v3/depth', { symbol: 'MXUSDT', limit: 100 });
    expect(seen[0]!.query).toBe('symbol=MXUSDT&limit=100');
    expect(seen[0]!.headers['x-mexc-apikey']).toBeUndefined();
  });

  it('answers a body that is not JSON as a transport failure, keeping the status', async () => {
    const { rest } = await setup(() => ({ status: 502, raw: '<html>Bad Gateway</html>' }));
    const answer = await rest.signedPost('/api/v3/order', { symbol: 'MXUSDT' });
    expect(answer).toMatchObject({ ok: false, httpStatus: 502, code: TRANSPORT_FAILED });
    expect(answer.ok ? '' : answer.msg).toMatch(/not JSON/);
  });

  it('answers an HTTP error without a code as a transport failure', async () => {
    const { rest } = await setup(() => ({ status: 503, body: { error: 'maintenance' } }));
    expect(await rest.get('/api/v3/time')).toMatchObject({
      ok: false,
      httpStatus: 503,
      code: TRANSPORT_FAILED,
    });
  });

  it('answers a timeout as a transport failure that never shows the signature', async () => {
    const { rest } = await setup(() => ({ body: {}, delayMs: 1500 }), { timeoutMs: 100 });
    const answer = await rest.signedGet('/api/v3/account');
    expect(answer).toMatchObject({
      ok: false,
      httpStatus: 0,
      code: TRANSPORT_FAILED,
      msg: 'MEXC GET /api/v3/account did not answer: timed out',
    });
    expect(JSON.stringify(answer)).not.toMatch(/signature|[0-9a-f]{64}/);
  });

  it('answers a refused connection as a transport failure, not a throw', async () => {
    const server = await localServer(() => ({ body: {} }));
    await server.close();
    const rest = new MexcRest({
      baseUrl: server.url,
      clock: new SimClock(START),
      credentials: { apiKey: KEY, apiSecret: SECRET },
    });
    const answer = await rest.signedDelete('/api/v3/order', { symbol: 'MXUSDT', origClientOrderId: 'c1' });
    expect(answer).toMatchObject({ ok: false, httpStatus: 0, code: TRANSPORT_FAILED });
    expect(JSON.stringify(answer)).not.toContain('signature');
  });
});

describe('MexcRest: rate limits', () => {
  it('honours a 429 Retry-After: the endpoint is refused locally, other endpoints still go', async () => {
    const { rest, seen } = await setup((r) =>
      r.path === '/api/v3/order'
        ? { status: 429, headers: { 'Retry-After': '7' }, body: { code: 429, msg: 'Too many requests' } }
        : { body: {} },
    );
    expect(await rest.signedPost('/api/v3/order', { symbol: 'MXUSDT' })).toMatchObject({
      ok: false,
      httpStatus: 429,
      code: 429,
    });
    const second = await rest.signedPost('/api/v3/order', { symbol: 'MXUSDT' });
    expect(second).toMatchObject({ ok: false, httpStatus: 0, code: THROTTLED_LOCALLY });
    expect(second.ok ? '' : second.msg).toMatch(/7000 ms/);
    expect(seen).toHaveLength(1);
    expect((await rest.signedGet('/api/v3/account')).ok).toBe(true);
    expect(rest.limiter.minHeadroom()).toMatchObject({ endpoint: 'POST /api/v3/order', remaining: 0 });
  });

  it('holds everything after a 418 ban', async () => {
    const { rest, seen } = await setup(() => ({
      status: 418,
      headers: { 'Retry-After': '120' },
      raw: 'banned',
    }));
    expect(await rest.get('/api/v3/depth', { symbol: 'MXUSDT' })).toMatchObject({
      ok: false,
      httpStatus: 418,
    });
    expect(await rest.signedPost('/api/v3/order')).toMatchObject({ ok: false, code: THROTTLED_LOCALLY });
    expect(await rest.get('/api/v3/time')).toMatchObject({ ok: false, code: THROTTLED_LOCALLY });
    expect(seen).toHaveLength(1);
    expect(rest.limiter.heldForMs()).toBe(120_000);
  });

  it('waits for a slot within maxQueueMs on the injected clock, and refuses beyond it', async () => {
    const { rest, seen, clock } = await setup(() => ({ body: {} }), { maxQueueMs: 1000 });
    expect((await rest.signedGet('/api/v3/account')).ok).toBe(true);
    expect((await rest.signedGet('/api/v3/account')).ok).toBe(true);
    // The third account read in one second waits for the first to leave the 1 s window.
    const third = rest.signedGet('/api/v3/account');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(2);
    clock.advance(1000);
    expect((await third).ok).toBe(true);
    expect(seen).toHaveLength(3);
    const { rest: strict } = await setup(() => ({ body: {} }), { maxQueueMs: 0 });
    await strict.signedGet('/api/v3/account');
    await strict.signedGet('/api/v3/account');
    expect(await strict.signedGet('/api/v3/account')).toMatchObject({ ok: false, code: THROTTLED_LOCALLY });
  });
});

describe('restError', () => {
  it('is unavailable when the venue never answered or failed, venue_error for its refusals', () => {
    expect(
      restError('account', { ok: false, httpStatus: 0, code: TRANSPORT_FAILED, msg: 'timed out' }),
    ).toMatchObject({
      code: 'unavailable',
      message: 'MEXC account: timed out',
    });
    expect(
      restError('account', {
        ok: false,
        httpStatus: 400,
        code: 700002,
        msg: 'Signature for this request is not valid.',
      }),
    ).toMatchObject({
      code: 'venue_error',
      message: 'MEXC account: Signature for this request is not valid. (700002)',
    });
  });
});
