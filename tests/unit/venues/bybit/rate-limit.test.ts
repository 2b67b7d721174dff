import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import {
  REPORT_HOLD_MS,
  BybitRateLimiter,
  DEFAULT_BACKOFF_MS,
  IP_LIMIT,
} from '../../../../engine/venues/bybit/rate-limit.ts';
import { expectEngineError } from './helpers.ts';

const CREATE = '/v5/order/create';

function setup(start = 1_000_000): { clock: SimClock; limiter: BybitRateLimiter } {
  const clock = new SimClock(start);
  return { clock, limiter: new BybitRateLimiter(clock) };
}

describe('Bybit rate limiter: rolling windows', () => {
  it('refuses the 11th linear create inside a second and allows it when the window rolls', () => {
    const { clock, limiter } = setup();
    const t0 = clock.now();
    for (let i = 0; i < 10; i++) {
      expect(limiter.reserve(CREATE, 'linear')).toBe(0);
      clock.advance(90);
    }
    // At t0 + 900: the first create (t0) leaves the window at t0 + 1000.
    expect(limiter.reserve(CREATE, 'linear')).toBe(100);
    expect(limiter.reserve(CREATE, 'linear')).toBe(100); // a refusal spends nothing
    clock.advanceTo(t0 + 999);
    expect(limiter.reserve(CREATE, 'linear')).toBe(1);
    clock.advanceTo(t0 + 1000);
    expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    expect(limiter.reserve(CREATE, 'linear')).toBe(90); // the second create (t0 + 90) is next to leave
  });

  it('keeps spot and linear apart, and spot allows 20', () => {
    const { limiter } = setup();
    for (let i = 0; i < 10; i++) expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    expect(limiter.reserve(CREATE, 'linear')).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) expect(limiter.reserve(CREATE, 'spot')).toBe(0);
    expect(limiter.reserve(CREATE, 'spot')).toBe(1000);
    // cancel has its own quota
    expect(limiter.reserve('/v5/order/cancel', 'linear')).toBe(0);
  });

  it('counts a batch per order, on a quota separate from single orders', () => {
    const { limiter } = setup();
    expect(limiter.reserve('/v5/order/create-batch', 'linear', 8)).toBe(0);
    expect(limiter.reserve('/v5/order/create-batch', 'linear', 3)).toBe(1000);
    expect(limiter.reserve('/v5/order/create-batch', 'linear', 2)).toBe(0);
    expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    expectEngineError(
      () => limiter.reserve('/v5/order/create-batch', 'linear', 20),
      /exceed the 10\/s quota/,
    );
    expectEngineError(() => limiter.reserve(CREATE, 'linear', 0), /positive integer/);
  });

  it('spends the same quota for WS order entry and REST, with or without a method prefix', () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) expect(limiter.reserve('order.create', 'linear')).toBe(0);
    for (let i = 0; i < 5; i++) expect(limiter.reserve(`POST ${CREATE}`, 'linear')).toBe(0);
    expect(limiter.reserve(CREATE, 'linear')).toBe(1000);
  });

  it('shares one quota across categories where the venue gives one figure', () => {
    const { limiter } = setup();
    for (let i = 0; i < 25; i++) expect(limiter.reserve('/v5/account/wallet-balance', 'linear')).toBe(0);
    for (let i = 0; i < 25; i++) expect(limiter.reserve('/v5/account/wallet-balance', 'spot')).toBe(0);
    expect(limiter.reserve('/v5/account/wallet-balance', 'spot')).toBe(1000);
  });

  it('holds REST to 600 requests per 5 s per IP, endpoint quotas or not', () => {
    const { clock, limiter } = setup();
    for (let i = 0; i < IP_LIMIT; i++) {
      expect(limiter.reserve('/v5/market/tickers', 'linear')).toBe(0);
      if (i % 100 === 99) clock.advance(500);
    }
    expect(limiter.reserve('/v5/market/tickers', 'linear')).toBe(2000);
    expect(limiter.reserve(CREATE, 'linear')).toBe(2000);
    // WS order entry does not go through the REST hosts.
    expect(limiter.reserve('order.create', 'linear')).toBe(0);
  });
});

describe('Bybit rate limiter: the venue headers', () => {
  it('follows a lower X-Bapi-Limit-Status than its own count, for as long as that count is current', () => {
    const { clock, limiter } = setup();
    expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    limiter.observe(CREATE, 'linear', { limit: '10', status: '1', resetTs: String(clock.now()) });
    expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    // Other clients of the account spent the rest: nothing goes until the report is stale.
    expect(limiter.reserve(CREATE, 'linear')).toBe(REPORT_HOLD_MS);
    clock.advance(REPORT_HOLD_MS);
    // Then only our own window counts (2 of 10 spent in it).
    for (let i = 0; i < 8; i++) expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    expect(limiter.reserve(CREATE, 'linear')).toBeGreaterThan(0);
  });

  it('waits for the reset time the venue gives when the quota is spent', () => {
    const { clock, limiter } = setup();
    limiter.observe(CREATE, 'linear', { limit: '10', status: '0', resetTs: String(clock.now() + 350) });
    expect(limiter.reserve(CREATE, 'linear')).toBe(350);
    clock.advance(350);
    expect(limiter.reserve(CREATE, 'linear')).toBe(0);
  });

  it('learns a higher VIP limit from X-Bapi-Limit, and a limit for an endpoint it did not know', () => {
    const { limiter } = setup();
    limiter.observe(CREATE, 'linear', { limit: '60' });
    for (let i = 0; i < 60; i++) expect(limiter.reserve(CREATE, 'linear')).toBe(0);
    expect(limiter.reserve(CREATE, 'linear')).toBe(1000);
    limiter.observe('/v5/market/tickers', 'spot', { limit: '2' });
    expect(limiter.reserve('/v5/market/tickers', 'spot')).toBe(0);
    expect(limiter.reserve('/v5/market/tickers', 'spot')).toBe(0);
    expect(limiter.reserve('/v5/market/tickers', 'spot')).toBe(1000);
  });

  it('applies a report without category to every category, and ignores malformed values', () => {
    const { limiter } = setup();
    limiter.observe(CREATE, { status: '0' });
    expect(limiter.reserve(CREATE, 'linear')).toBe(REPORT_HOLD_MS);
    expect(limiter.reserve(CREATE, 'spot')).toBe(REPORT_HOLD_MS);
    const other = setup().limiter;
    other.observe(CREATE, 'linear', { limit: 'ten', status: '-1', resetTs: 'soon' });
    for (let i = 0; i < 10; i++) expect(other.reserve(CREATE, 'linear')).toBe(0);
    expect(other.reserve(CREATE, 'linear')).toBe(1000);
  });
});

describe('Bybit rate limiter: back-off and headroom', () => {
  it('backs everything off for one window by default after a 10006', () => {
    const { clock, limiter } = setup();
    limiter.backOff();
    expect(limiter.reserve('/v5/order/cancel', 'linear')).toBe(DEFAULT_BACKOFF_MS);
    clock.advance(DEFAULT_BACKOFF_MS);
    expect(limiter.reserve('/v5/order/cancel', 'linear')).toBe(0);
  });

  it('backs off one endpoint only when named, so cancels still flow', () => {
    const { clock, limiter } = setup();
    limiter.backOff(clock.now() + 5000, CREATE);
    expect(limiter.reserve(CREATE, 'linear')).toBe(5000);
    expect(limiter.reserve(CREATE, 'spot')).toBe(5000);
    expect(limiter.reserve('/v5/order/cancel', 'linear')).toBe(0);
    // An endpoint with no known quota cannot be held alone: everything waits.
    limiter.backOff(clock.now() + 200, '/v5/market/tickers');
    expect(limiter.reserve('/v5/order/cancel', 'linear')).toBe(200);
  });

  it('reports headroom tightest first', () => {
    const { limiter } = setup();
    for (let i = 0; i < 10; i++) limiter.reserve(CREATE, 'linear');
    limiter.reserve('/v5/order/cancel', 'spot');
    const rows = limiter.headroom();
    expect(rows[0]).toEqual({ endpoint: CREATE, category: 'linear', remaining: 0, limit: 10 });
    expect(rows).toContainEqual({ endpoint: '/v5/order/cancel', category: 'spot', remaining: 19, limit: 20 });
    expect(rows).toContainEqual({ endpoint: 'ip', remaining: IP_LIMIT - 11, limit: IP_LIMIT });
    expect(limiter.minHeadroom()).toEqual(rows[0]);
    limiter.observe('/v5/order/cancel', 'spot', { status: '3' });
    expect(limiter.headroom()).toContainEqual({
      endpoint: '/v5/order/cancel',
      category: 'spot',
      remaining: 3,
      limit: 20,
    });
  });
});
