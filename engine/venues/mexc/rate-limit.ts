import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';

/**
 * MEXC spot v3 request limits (exchange-apis.md B6, B7) kept on our side, so that a burst of quotes
 * waits here instead of earning a 429, and repeated 429s never grow into an IP ban (418, from two
 * minutes up to three days). Every endpoint has a budget of its own, 500 weight per rolling 10 s
 * (per UID for signed calls, per IP for public ones: one process is one of each, so the endpoint is
 * the key); the weights are B7's. Batch orders and account info are also capped at 2 requests a
 * second. When the venue refuses anyway, its Retry-After (seconds) holds that endpoint (429) or
 * everything (418, and a 403 from the firewall) until then.
 *
 * Pure bookkeeping on an injected clock: no timers, no sleeping; `reserve` says how long to wait.
 */

export const WINDOW_MS = 10_000;
export const ENDPOINT_BUDGET = 500;
export const BURST_WINDOW_MS = 1000;
/** A 429 without Retry-After: by then the 10 s window has rolled over. */
export const RATE_LIMIT_BACKOFF_MS = WINDOW_MS;
/** A 418 without Retry-After: the shortest ban MEXC hands out is two minutes. */
export const BAN_BACKOFF_MS = 2 * 60_000;
/**
 * A 403 from the firewall names no duration. A minute is long enough that we stop adding to
 * whatever tripped it and short enough that cancels are tried again soon; a Retry-After wins.
 */
export const WAF_BACKOFF_MS = 60_000;

/** Weight of each endpoint (B7), keyed "METHOD /path"; an endpoint not listed weighs 1. */
export const WEIGHTS: ReadonlyMap<string, number> = new Map([
  ['GET /api/v3/ping', 1],
  ['GET /api/v3/time', 1],
  ['GET /api/v3/defaultSymbols', 1],
  ['GET /api/v3/exchangeInfo', 10],
  ['GET /api/v3/depth', 1],
  ['GET /api/v3/trades', 5],
  ['GET /api/v3/ticker/bookTicker', 1],
  ['POST /api/v3/order/test', 1],
  ['POST /api/v3/order', 1],
  // ccxt charges 10 here; the docs say 1, and the 2 requests a second below bind long before either.
  ['POST /api/v3/batchOrders', 1],
  ['DELETE /api/v3/order', 1],
  ['DELETE /api/v3/openOrders', 1],
  ['GET /api/v3/order', 2],
  ['GET /api/v3/openOrders', 3],
  ['GET /api/v3/allOrders', 10],
  ['GET /api/v3/account', 10],
  ['GET /api/v3/myTrades', 10],
]);

/** Requests per second on top of the weight budget (B6). */
export const PER_SECOND: ReadonlyMap<string, number> = new Map([
  ['POST /api/v3/batchOrders', 2],
  ['GET /api/v3/account', 2],
]);

/** Always reported, used or not: order entry is what the trader's header is about. */
const HEADLINE = 'POST /api/v3/order';

export interface Headroom {
  /** "METHOD /path". */
  endpoint: string;
  /** Requests that may still go in this window. */
  remaining: number;
  /** Requests the whole window allows. */
  limit: number;
  /** The window that binds: the 10 s weight budget or the per-second cap. */
  windowMs: number;
}

/** Weight spent at one moment; the window forgets it `windowMs` later. */
interface Entry {
  readonly at: number;
  readonly weight: number;
}

/** A rolling window over a weight budget. */
class RollingBudget {
  readonly budget: number;
  readonly windowMs: number;
  private entries: Entry[] = [];
  private first = 0;
  private spent = 0;

  constructor(budget: number, windowMs: number) {
    this.budget = budget;
    this.windowMs = windowMs;
  }

  /** ms until `weight` fits (0: now). */
  delayFor(weight: number, now: number): number {
    this.forget(now);
    let room = this.budget - this.spent;
    if (room >= weight) return 0;
    // The oldest entries leave first; the one whose departure makes room sets the wait.
    for (let i = this.first; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      room += e.weight;
      if (room >= weight) return e.at + this.windowMs - now;
    }
    return this.windowMs;
  }

  spend(weight: number, now: number): void {
    this.entries.push({ at: now, weight });
    this.spent += weight;
  }

  room(now: number): number {
    this.forget(now);
    return Math.max(0, this.budget - this.spent);
  }

  private forget(now: number): void {
    const list = this.entries;
    while (this.first < list.length && list[this.first]!.at + this.windowMs <= now) {
      this.spent -= list[this.first]!.weight;
      this.first++;
    }
    // Drop the forgotten prefix once it is most of the array, so memory stays bounded.
    if (this.first >= 128 && this.first * 2 >= list.length) {
      this.entries = list.slice(this.first);
      this.first = 0;
    }
  }
}

interface Endpoint {
  readonly key: string;
  readonly weight: number;
  readonly budget: RollingBudget;
  readonly perSecond: RollingBudget | undefined;
  blockedUntil: number;
}

export class MexcRateLimiter {
  private readonly clock: Clock;
  private readonly endpoints = new Map<string, Endpoint>();
  /**
   * The endpoint of each method and path as callers spell them, so that the order path finds its
   * endpoint without building the key string on every request.
   */
  private readonly routes = new Map<string, Map<string, Endpoint>>();
  private blockedUntil = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * 0 if a request to `method path` may go now, and then its weight is spent; otherwise the ms to
   * wait, and nothing is spent.
   */
  reserve(method: string, path: string): number {
    const now = this.clock.now();
    const e = this.endpoint(method, path);
    const wait = Math.max(
      this.blockedUntil - now,
      e.blockedUntil - now,
      e.budget.delayFor(e.weight, now),
      e.perSecond?.delayFor(1, now) ?? 0,
    );
    if (wait > 0) return Math.ceil(wait);
    e.budget.spend(e.weight, now);
    e.perSecond?.spend(1, now);
    return 0;
  }

  /**
   * The venue refused a request to `method path` with `httpStatus`: 429 holds that endpoint, 418
   * (banned) and 403 (the firewall) hold every endpoint, until Retry-After (seconds) or the default
   * for the status. Other statuses change nothing. A malformed Retry-After counts as absent.
   */
  refused(method: string, path: string, httpStatus: number, retryAfter?: string | null): void {
    const now = this.clock.now();
    const after = retryAfterMs(retryAfter);
    if (httpStatus === 429) {
      const e = this.endpoint(method, path);
      e.blockedUntil = Math.max(e.blockedUntil, now + (after ?? RATE_LIMIT_BACKOFF_MS));
    } else if (httpStatus === 418) {
      this.blockedUntil = Math.max(this.blockedUntil, now + (after ?? BAN_BACKOFF_MS));
    } else if (httpStatus === 403) {
      this.blockedUntil = Math.max(this.blockedUntil, now + (after ?? WAF_BACKOFF_MS));
    }
  }

  /** ms until the ban or firewall hold on every endpoint ends (0: none). */
  heldForMs(): number {
    return Math.max(0, this.blockedUntil - this.clock.now());
  }

  /** What is left of every window in use (and of order entry's), tightest first. */
  headroom(): Headroom[] {
    const now = this.clock.now();
    this.endpoint('POST', HEADLINE.slice('POST '.length));
    const out: Headroom[] = [];
    for (const e of this.endpoints.values()) {
      const held = now < this.blockedUntil || now < e.blockedUntil;
      const limit = Math.floor(e.budget.budget / e.weight);
      const remaining = held ? 0 : Math.floor(e.budget.room(now) / e.weight);
      out.push({ endpoint: e.key, remaining, limit, windowMs: e.budget.windowMs });
      if (e.perSecond) {
        const left = held ? 0 : e.perSecond.room(now);
        out.push({ endpoint: e.key, remaining: left, limit: e.perSecond.budget, windowMs: BURST_WINDOW_MS });
      }
    }
    return out.sort((a, b) => a.remaining / a.limit - b.remaining / b.limit || a.limit - b.limit);
  }

  /** The tightest window, for the trader's header. */
  minHeadroom(): Headroom {
    return this.headroom()[0]!;
  }

  private endpoint(method: string, path: string): Endpoint {
    let byPath = this.routes.get(method);
    const known = byPath?.get(path);
    if (known !== undefined) return known;
    const key = endpointKey(method, path);
    let e = this.endpoints.get(key);
    if (e === undefined) {
      // Callers name a couple of dozen endpoints; the bound only guards against a caller's bug.
      if (this.endpoints.size >= 256) {
        throw new EngineError('internal', `MEXC rate limiter: too many distinct endpoints (${key})`);
      }
      const perSecond = PER_SECOND.get(key);
      e = {
        key,
        weight: WEIGHTS.get(key) ?? 1,
        budget: new RollingBudget(ENDPOINT_BUDGET, WINDOW_MS),
        perSecond: perSecond === undefined ? undefined : new RollingBudget(perSecond, BURST_WINDOW_MS),
        blockedUntil: 0,
      };
      this.endpoints.set(key, e);
    }
    // Spellings of one endpoint (a query left on the path) are bounded like the endpoints are.
    if (byPath === undefined) this.routes.set(method, (byPath = new Map<string, Endpoint>()));
    if (byPath.size < 256) byPath.set(path, e);
    return e;
  }
}

/** "DELETE /api/v3/order": the method in capitals, the path without its query. */
export function endpointKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.split('?')[0] ?? ''}`;
}

/** Retry-After as ms: whole seconds (0 up to a week); anything else is taken as absent. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (header === undefined || header === null) return undefined;
  const text = header.trim();
  if (!/^\d{1,7}$/.test(text)) return undefined;
  const seconds = Number(text);
  return seconds <= 7 * 86_400 ? seconds * 1000 : undefined;
}
