/** The per-endpoint budget of B6: each endpoint has its own 500 weight per rolling 10 s. */
export interface RateBudget {
  /** Weight allowed per window and endpoint (default 500). */
  readonly budget: number;
  /** Window length in ms (default 10 000). */
  readonly windowMs: number;
}

export const DEFAULT_BUDGET: RateBudget = { budget: 500, windowMs: 10_000 };

/** Weights of B7 (the IP weight; the UID weight is 1 or the same); unlisted endpoints weigh 1. */
const WEIGHTS: Readonly<Record<string, number>> = {
  'GET /api/v3/exchangeInfo': 10,
  'GET /api/v3/trades': 5,
  'GET /api/v3/order': 2,
  'GET /api/v3/openOrders': 3,
  'GET /api/v3/allOrders': 10,
  'GET /api/v3/account': 10,
  'GET /api/v3/myTrades': 10,
};

export function weightOf(route: string): number {
  return WEIGHTS[route] ?? 1;
}

/**
 * Rolling windows per (caller, endpoint): the caller is the UID for keyed endpoints and the IP for the
 * others (B6). Every request on loopback comes from one IP. A refused request costs nothing.
 *
 * Bybit's simulator limiter (engine/simulators/bybit/rate-limit.ts) counts per second against Bybit's
 * quota table; this one weighs requests in a longer window, so the two are kept apart.
 */
export class MexcRateLimiter {
  private readonly budget: RateBudget;
  private readonly windows = new Map<string, { at: number; weight: number }[]>();

  constructor(budget: Partial<RateBudget> = {}) {
    this.budget = { ...DEFAULT_BUDGET, ...budget };
    if (!(this.budget.budget >= 1) || !(this.budget.windowMs >= 1)) {
      throw new RangeError('a rate budget needs a positive weight and window');
    }
  }

  /** Takes `weight` from the window; when it does not fit, the whole seconds until it would (Retry-After). */
  take(
    caller: string,
    route: string,
    now: number,
  ): { allowed: true } | { allowed: false; retryAfterS: number } {
    const key = `${caller}|${route}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = [];
      this.windows.set(key, window);
    }
    const { budget, windowMs } = this.budget;
    let drop = 0;
    while (drop < window.length && window[drop]!.at <= now - windowMs) drop++;
    if (drop > 0) window.splice(0, drop);
    const weight = weightOf(route);
    let used = 0;
    for (const w of window) used += w.weight;
    if (used + weight <= budget) {
      window.push({ at: now, weight });
      return { allowed: true };
    }
    // The earliest moment enough weight has left the window.
    let freed = 0;
    let until = now;
    for (const w of window) {
      freed += w.weight;
      until = w.at + windowMs;
      if (used - freed + weight <= budget) break;
    }
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)) };
  }
}
