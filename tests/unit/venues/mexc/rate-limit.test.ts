import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import {
  BAN_BACKOFF_MS,
  ENDPOINT_BUDGET,
  MexcRateLimiter,
  RATE_LIMIT_BACKOFF_MS,
  retryAfterMs,
  WAF_BACKOFF_MS,
  WEIGHTS,
  WINDOW_MS,
} from '../../../../engine/venues/mexc/rate-limit.ts';

function setup(): { clock: SimClock; limiter: MexcRateLimiter } {
  const clock = new SimClock(1_000_000);
  return { clock, limiter: new MexcRateLimiter(clock) };
}

describe('MEXC rate limiter: weight budgets', () => {
  it('allows 500 new orders in 10 s and refuses the 501st until the oldest leaves the window', () => {
    const { clock, limiter } = setup();
    const t0 = clock.now();
    for (let i = 0; i < 500; i++) {
      expect(limiter.reserve('POST', '/api/v3/order')).toBe(0);
      clock.advance(10); // 500 requests over 5 s
    }
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(t0 + WINDOW_MS - clock.now());
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(5000); // a refusal spends nothing
    clock.advanceTo(t0 + WINDOW_MS);
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(0);
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(10); // the second one (t0 + 10) is next to leave
  });

  it('weighs endpoints as B7 does and keeps each endpoint’s budget apart', () => {
    const { limiter } = setup();
    // GET /api/v3/openOrders weighs 3: 166 fit in 500.
    for (let i = 0; i < 166; i++) expect(limiter.reserve('GET', '/api/v3/openOrders')).toBe(0);
    expect(limiter.reserve('GET', '/api/v3/openOrders')).toBeGreaterThan(0);
    // Same path, other method: its own budget (DELETE /api/v3/openOrders weighs 1).
    expect(limiter.reserve('DELETE', '/api/v3/openOrders')).toBe(0);
    // The query string is not part of the endpoint.
    expect(limiter.reserve('get', '/api/v3/openOrders?symbol=MXUSDT')).toBeGreaterThan(0);
    expect(WEIGHTS.get('GET /api/v3/myTrades')).toBe(10);
    expect(WEIGHTS.get('GET /api/v3/order')).toBe(2);
  });

  it('caps myTrades (weight 10) at 50 per 10 s', () => {
    const { limiter } = setup();
    for (let i = 0; i < 50; i++) expect(limiter.reserve('GET', '/api/v3/myTrades')).toBe(0);
    expect(limiter.reserve('GET', '/api/v3/myTrades')).toBe(WINDOW_MS);
  });

  it('lets batch orders and account info go twice a second, whatever the weight budget says', () => {
    const { clock, limiter } = setup();
    expect(limiter.reserve('POST', '/api/v3/batchOrders')).toBe(0);
    clock.advance(300);
    expect(limiter.reserve('POST', '/api/v3/batchOrders')).toBe(0);
    expect(limiter.reserve('POST', '/api/v3/batchOrders')).toBe(700);
    clock.advance(700);
    expect(limiter.reserve('POST', '/api/v3/batchOrders')).toBe(0);
    expect(limiter.reserve('GET', '/api/v3/account')).toBe(0);
    expect(limiter.reserve('GET', '/api/v3/account')).toBe(0);
    expect(limiter.reserve('GET', '/api/v3/account')).toBe(1000);
    // The single-order endpoint is untouched by either.
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(0);
  });

  it('counts an endpoint not in the table at weight 1', () => {
    const { limiter } = setup();
    for (let i = 0; i < ENDPOINT_BUDGET; i++)
      expect(limiter.reserve('POST', '/api/v3/userDataStream')).toBe(0);
    expect(limiter.reserve('POST', '/api/v3/userDataStream')).toBeGreaterThan(0);
  });
});

describe('MEXC rate limiter: refusals from the venue', () => {
  it('holds the endpoint a 429 named until its Retry-After, others go on', () => {
    const { clock, limiter } = setup();
    limiter.refused('POST', '/api/v3/order', 429, '3');
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(3000);
    expect(limiter.reserve('DELETE', '/api/v3/order')).toBe(0);
    clock.advance(3000);
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(0);
  });

  it('holds a 429 without Retry-After for one window', () => {
    const { limiter } = setup();
    limiter.refused('POST', '/api/v3/order', 429, null);
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(RATE_LIMIT_BACKOFF_MS);
  });

  it('holds everything after a 418 until the ban ends (Retry-After, else two minutes)', () => {
    const { clock, limiter } = setup();
    limiter.refused('GET', '/api/v3/depth', 418, '600');
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(600_000);
    expect(limiter.reserve('DELETE', '/api/v3/openOrders')).toBe(600_000);
    expect(limiter.heldForMs()).toBe(600_000);
    clock.advance(600_000);
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(0);
    limiter.refused('GET', '/api/v3/depth', 418, 'soon');
    expect(limiter.reserve('GET', '/api/v3/time')).toBe(BAN_BACKOFF_MS);
  });

  it('holds everything after a firewall 403, and nothing for other statuses', () => {
    const { clock, limiter } = setup();
    limiter.refused('POST', '/api/v3/order', 400, '99');
    limiter.refused('POST', '/api/v3/order', 503, '99');
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(0);
    limiter.refused('POST', '/api/v3/order', 403);
    expect(limiter.reserve('GET', '/api/v3/account')).toBe(WAF_BACKOFF_MS);
    clock.advance(WAF_BACKOFF_MS);
    expect(limiter.reserve('GET', '/api/v3/account')).toBe(0);
  });

  it('never shortens a hold already in place', () => {
    const { limiter } = setup();
    limiter.refused('POST', '/api/v3/order', 429, '20');
    limiter.refused('POST', '/api/v3/order', 429, '1');
    expect(limiter.reserve('POST', '/api/v3/order')).toBe(20_000);
  });

  it('reads Retry-After as whole seconds only', () => {
    expect(retryAfterMs('5')).toBe(5000);
    expect(retryAfterMs(' 0 ')).toBe(0);
    expect(retryAfterMs('1.5')).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(retryAfterMs(String(8 * 86_400))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('MEXC rate limiter: headroom', () => {
  it('reports order entry’s full budget before anything was sent', () => {
    const { limiter } = setup();
    expect(limiter.minHeadroom()).toEqual({
      endpoint: 'POST /api/v3/order',
      remaining: 500,
      limit: 500,
      windowMs: WINDOW_MS,
    });
  });

  it('reports the tightest window in requests, not weight', () => {
    const { clock, limiter } = setup();
    for (let i = 0; i < 10; i++) limiter.reserve('POST', '/api/v3/order');
    for (let i = 0; i < 40; i++) limiter.reserve('GET', '/api/v3/myTrades');
    expect(limiter.minHeadroom()).toEqual({
      endpoint: 'GET /api/v3/myTrades',
      remaining: 10,
      limit: 50,
      windowMs: WINDOW_MS,
    });
    limiter.reserve('GET', '/api/v3/account');
    limiter.reserve('GET', '/api/v3/account');
    expect(limiter.minHeadroom()).toEqual({
      endpoint: 'GET /api/v3/account',
      remaining: 0,
      limit: 2,
      windowMs: 1000,
    });
    clock.advance(1000);
    expect(limiter.minHeadroom().endpoint).toBe('GET /api/v3/myTrades');
    clock.advance(WINDOW_MS);
    expect(limiter.minHeadroom().remaining / limiter.minHeadroom().limit).toBe(1);
  });

  it('shows a held endpoint with nothing left', () => {
    const { limiter } = setup();
    limiter.refused('DELETE', '/api/v3/order', 429, '5');
    expect(limiter.minHeadroom()).toMatchObject({ endpoint: 'DELETE /api/v3/order', remaining: 0 });
  });
});
