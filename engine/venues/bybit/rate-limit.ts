import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { BybitCategory } from './instruments.ts';

/**
 * Bybit v5 request quotas (exchange-apis.md A6) kept on our side, so a burst of quotes is spaced out
 * here instead of being refused with 10006 after the fact. Quotas are per UID and endpoint over a
 * rolling 1 s window; the order-entry endpoints have one quota per category; a batch spends one unit
 * per order; WS order entry (`order.create`…) spends the same quota as REST. On top sits the per-IP
 * REST limit of 600 requests per 5 s. What the venue reports in its X-Bapi-Limit* headers overrides
 * the table: a VIP account learns its higher limit, and never more is spent than the venue says remains.
 *
 * Pure bookkeeping on an injected clock: no timers, no sleeping; `reserve` says how long to wait.
 */

export const WINDOW_MS = 1000;
export const IP_WINDOW_MS = 5000;
export const IP_LIMIT = 600;
/** After a 10006 that carried no reset time: the window is 1 s, so by then it has rolled. */
export const DEFAULT_BACKOFF_MS = 1000;
/** How long a within-quota count reported by the venue is taken as current. */
export const REPORT_HOLD_MS = 100;
/** After HTTP 403 "access too frequent" (the IP limit) Bybit asks for at least 10 minutes. */
export const IP_BAN_BACKOFF_MS = 10 * 60_000;

interface Quota {
  readonly limits: Readonly<Partial<Record<BybitCategory, number>>>;
  /** One quota for every category (the endpoint takes none, or the table gives one figure "for all"). */
  readonly shared: boolean;
}

const perCategory = (linear: number, spot: number): Quota => ({ limits: { linear, spot }, shared: false });
const shared = (limit: number): Quota => ({ limits: { linear: limit, spot: limit }, shared: true });

/** Default UTA Pro, non-VIP quotas per second. */
export const QUOTAS: ReadonlyMap<string, Quota> = new Map([
  ['/v5/order/create', perCategory(10, 20)],
  ['/v5/order/amend', perCategory(10, 10)],
  ['/v5/order/cancel', perCategory(10, 20)],
  ['/v5/order/cancel-all', perCategory(10, 20)],
  // The batch endpoints each have their own quota, separate from the single-order ones.
  ['/v5/order/create-batch', perCategory(10, 20)],
  ['/v5/order/amend-batch', perCategory(10, 20)],
  ['/v5/order/cancel-batch', perCategory(10, 20)],
  ['/v5/order/disconnected-cancel-all', shared(5)],
  ['/v5/order/realtime', shared(50)],
  ['/v5/order/history', shared(50)],
  ['/v5/execution/list', shared(50)],
  ['/v5/position/list', { limits: { linear: 50 }, shared: false }],
  ['/v5/account/wallet-balance', shared(50)],
]);

export interface LimitHeaders {
  /** X-Bapi-Limit: this endpoint's limit. */
  limit?: string;
  /** X-Bapi-Limit-Status: what remains in the current window. */
  status?: string;
  /** X-Bapi-Limit-Reset-Timestamp: ms; when exceeded, the moment the quota is back. */
  resetTs?: string;
}

export interface Headroom {
  endpoint: string;
  category?: BybitCategory;
  remaining: number;
  limit: number;
}

/** Units spent at a moment; the window forgets them `windowMs` later. */
interface Spent {
  at: number;
  units: number;
}

class Window {
  private spent: Spent[] = [];
  private head = 0;
  private used = 0;
  limit: number;
  readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** ms until `units` fit (0 = now). */
  waitFor(units: number, now: number): number {
    this.expire(now);
    let free = this.limit - this.used;
    for (let i = this.head; free < units && i < this.spent.length; i++) {
      const s = this.spent[i]!;
      free += s.units;
      if (free >= units) return s.at + this.windowMs - now;
    }
    return free >= units ? 0 : this.windowMs;
  }

  take(units: number, now: number): void {
    this.spent.push({ at: now, units });
    this.used += units;
  }

  remaining(now: number): number {
    this.expire(now);
    return Math.max(0, this.limit - this.used);
  }

  private expire(now: number): void {
    while (this.head < this.spent.length && this.spent[this.head]!.at + this.windowMs <= now) {
      this.used -= this.spent[this.head]!.units;
      this.head++;
    }
    // Compact now and then so the array does not grow with every request ever made.
    if (this.head > 64 && this.head * 2 > this.spent.length) {
      this.spent = this.spent.slice(this.head);
      this.head = 0;
    }
  }
}

interface Route {
  readonly path: string;
  readonly rest: boolean;
}

interface Bucket {
  readonly endpoint: string;
  readonly category: BybitCategory | undefined;
  readonly window: Window;
  /** The venue's last word on what remains, valid until `until`. */
  venue: { remaining: number; until: number } | undefined;
  blockedUntil: number;
}

export class BybitRateLimiter {
  private readonly clock: Clock;
  private readonly buckets = new Map<string, Bucket>();
  private readonly routes = new Map<string, Route>();
  private readonly ip = new Window(IP_LIMIT, IP_WINDOW_MS);
  private blockedUntil = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * 0 if a request of `units` (orders, for a batch) may go now, and then they are spent; otherwise
   * the ms to wait, and nothing is spent. An endpoint missing from the table counts only against the
   * IP limit until the venue reports its limit. A batch larger than the whole quota can never go: it
   * throws, since waiting would not help (split it).
   */
  reserve(endpoint: string, category: BybitCategory, units = 1): number {
    if (!Number.isSafeInteger(units) || units < 1) {
      throw new EngineError('invalid_input', `rate limiter: units must be a positive integer, got ${units}`);
    }
    const now = this.clock.now();
    const { path, rest } = this.route(endpoint);
    const bucket = this.bucket(path, category);
    if (bucket && units > bucket.window.limit) {
      throw new EngineError(
        'invalid_input',
        `${units} orders exceed the ${bucket.window.limit}/s quota of ${path} (${category}); split the batch`,
      );
    }
    let wait = Math.max(0, this.blockedUntil - now);
    if (rest) wait = Math.max(wait, this.ip.waitFor(1, now));
    if (bucket) {
      wait = Math.max(wait, bucket.blockedUntil - now, bucket.window.waitFor(units, now));
      const venue = activeVenue(bucket, now);
      if (venue && venue.remaining < units) wait = Math.max(wait, venue.until - now);
    }
    if (wait > 0) return Math.ceil(wait);
    if (rest) this.ip.take(1, now);
    if (bucket) {
      bucket.window.take(units, now);
      if (bucket.venue) bucket.venue.remaining -= units;
    }
    return 0;
  }

  /**
   * Follows the X-Bapi-Limit* headers of a response. Without a category the report applies to every
   * category of the endpoint, which can only make the limiter stricter. Malformed values are ignored.
   */
  observe(endpoint: string, headers: LimitHeaders): void;
  observe(endpoint: string, category: BybitCategory | undefined, headers: LimitHeaders): void;
  observe(endpoint: string, second: BybitCategory | LimitHeaders | undefined, third?: LimitHeaders): void {
    const category = typeof second === 'string' ? second : undefined;
    const headers = typeof second === 'object' ? second : (third ?? {});
    const now = this.clock.now();
    const { path } = this.route(endpoint);
    const limit = count(headers.limit, 1);
    const remaining = count(headers.status, 0);
    const resetTs = count(headers.resetTs, 0);
    const categories: BybitCategory[] = category ? [category] : ['linear', 'spot'];
    for (const c of categories) {
      const bucket = this.bucket(path, c, limit);
      if (!bucket) continue;
      if (limit !== undefined) bucket.window.limit = limit;
      if (remaining === undefined) continue;
      // Past the quota the venue names its reset time. Within it the reset time is about "now" and the
      // count is a snapshot of a rolling window whose slots free continuously: held for a whole window
      // it refused our orders locally while the venue had room (seen with two clients on one account),
      // so it holds only briefly; our own window keeps counting our requests meanwhile.
      const until = resetTs !== undefined && resetTs > now ? resetTs : now + REPORT_HOLD_MS;
      bucket.venue = { remaining, until };
    }
  }

  /**
   * Holds requests until `untilMs` (default one window from now): for one endpoint (all categories)
   * after its 10006, or for everything when no endpoint is named (an IP limit, a 403).
   */
  backOff(untilMs: number = this.clock.now() + DEFAULT_BACKOFF_MS, endpoint?: string): void {
    if (endpoint === undefined) {
      this.blockedUntil = Math.max(this.blockedUntil, untilMs);
      return;
    }
    const { path } = this.route(endpoint);
    let held = false;
    for (const c of ['linear', 'spot'] as const) {
      const bucket = this.bucket(path, c);
      if (!bucket) continue;
      bucket.blockedUntil = Math.max(bucket.blockedUntil, untilMs);
      held = true;
    }
    // An endpoint with no known quota has nothing to hold on its own: hold everything rather than nothing.
    if (!held) this.blockedUntil = Math.max(this.blockedUntil, untilMs);
  }

  /** What is left of each quota in use, tightest first, with the IP limit as endpoint "ip". */
  headroom(): Headroom[] {
    const now = this.clock.now();
    const blocked = now < this.blockedUntil;
    const out: Headroom[] = [
      { endpoint: 'ip', remaining: blocked ? 0 : this.ip.remaining(now), limit: IP_LIMIT },
    ];
    for (const b of this.buckets.values()) {
      const venue = activeVenue(b, now);
      let remaining = b.window.remaining(now);
      if (venue) remaining = Math.min(remaining, Math.max(0, venue.remaining));
      if (blocked || now < b.blockedUntil) remaining = 0;
      const entry: Headroom = { endpoint: b.endpoint, remaining, limit: b.window.limit };
      if (b.category) entry.category = b.category;
      out.push(entry);
    }
    return out.sort((x, y) => x.remaining / x.limit - y.remaining / y.limit);
  }

  /** The tightest quota, for the trader's header. */
  minHeadroom(): Headroom {
    return this.headroom()[0]!;
  }

  /**
   * The quota path of an endpoint as callers name it, and whether it is a REST call (which also
   * spends the IP limit). Memoised: every order request passes here, and the two regular
   * expressions of `normalise` cost more than the rest of `reserve` on a cold path.
   */
  private route(endpoint: string): Route {
    let r = this.routes.get(endpoint);
    if (r === undefined) {
      r = { path: normalise(endpoint), rest: !isWsOp(endpoint) };
      // Callers name a few dozen endpoints at most; the bound only guards against a caller's bug.
      if (this.routes.size < 256) this.routes.set(endpoint, r);
    }
    return r;
  }

  /** The endpoint's bucket, created on first use; undefined when no limit is known for it. */
  private bucket(path: string, category: BybitCategory, reported?: number): Bucket | undefined {
    const quota = QUOTAS.get(path);
    const isShared = quota?.shared ?? false;
    const key = isShared ? path : `${path} ${category}`;
    const found = this.buckets.get(key);
    if (found) return found;
    const limit = quota?.limits[category] ?? reported;
    if (limit === undefined) return undefined;
    const bucket: Bucket = {
      endpoint: path,
      category: isShared ? undefined : category,
      window: new Window(limit, WINDOW_MS),
      venue: undefined,
      blockedUntil: 0,
    };
    this.buckets.set(key, bucket);
    return bucket;
  }
}

function activeVenue(bucket: Bucket, now: number): Bucket['venue'] {
  if (bucket.venue && now >= bucket.venue.until) bucket.venue = undefined;
  return bucket.venue;
}

const WS_OP = /^order\.[a-z-]+$/;

function isWsOp(endpoint: string): boolean {
  return WS_OP.test(endpoint);
}

/** "POST /v5/order/create", "/v5/order/create" and the WS op "order.create" name one quota. */
function normalise(endpoint: string): string {
  const bare = endpoint.replace(/^(GET|POST)\s+/, '').split('?')[0] ?? '';
  return WS_OP.test(bare) ? `/v5/order/${bare.slice('order.'.length)}` : bare;
}

function count(text: string | undefined, min: number): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min ? n : undefined;
}
