import type { Category } from './wire.ts';

/** Per-UID per-endpoint quotas per rolling second (A6, non-VIP UTA defaults). */
const ORDER_QUOTAS: Readonly<Record<string, Readonly<Record<Category, number>>>> = {
  '/v5/order/create': { spot: 20, linear: 10 },
  '/v5/order/amend': { spot: 10, linear: 10 },
  '/v5/order/cancel': { spot: 20, linear: 10 },
  '/v5/order/cancel-all': { spot: 20, linear: 10 },
  '/v5/order/create-batch': { spot: 20, linear: 10 },
  '/v5/order/amend-batch': { spot: 20, linear: 10 },
  '/v5/order/cancel-batch': { spot: 20, linear: 10 },
};
const FLAT_QUOTAS: Readonly<Record<string, number>> = {
  '/v5/order/disconnected-cancel-all': 5,
  '/v5/order/realtime': 50,
  '/v5/order/history': 50,
  '/v5/execution/list': 50,
  '/v5/position/list': 50,
  '/v5/account/wallet-balance': 50,
};
/** Private endpoints A6 does not list (account info, coin info…): a quota of our choosing. */
const OTHER_QUOTA = 50;

/** The quota an endpoint (and category, for order entry) counts against, and its default limit. */
export function quotaOf(path: string, category: string | undefined): { key: string; limit: number } {
  const perCategory = ORDER_QUOTAS[path];
  if (perCategory !== undefined) {
    const cat: Category = category === 'spot' ? 'spot' : 'linear';
    return { key: `${path}#${cat}`, limit: perCategory[cat] };
  }
  return { key: path, limit: FLAT_QUOTAS[path] ?? OTHER_QUOTA };
}

/** The X-Bapi-Limit* values of one request. */
export interface LimitStatus {
  /** How many of the requested units the quota allowed (batches ask for one per item). */
  readonly allowed: number;
  readonly limit: number;
  readonly remaining: number;
  /** ms: when the oldest counted unit leaves the window if the quota is used up, else now. */
  readonly resetAt: number;
}

/**
 * Rolling one-second windows per (UID, quota). REST and the WebSocket trade stream draw on the same
 * windows, as on the venue. `overrides` replaces a default limit by quota key (`/v5/order/create#spot`)
 * or by path (every category of it).
 */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly overrides: Readonly<Record<string, number>>;

  constructor(overrides: Readonly<Record<string, number>> = {}) {
    this.overrides = overrides;
  }

  take(uid: string, path: string, category: string | undefined, units: number, now: number): LimitStatus {
    const quota = quotaOf(path, category);
    const limit = this.overrides[quota.key] ?? this.overrides[path] ?? quota.limit;
    const id = `${uid}|${quota.key}`;
    let stamps = this.windows.get(id);
    if (stamps === undefined) {
      stamps = [];
      this.windows.set(id, stamps);
    }
    let drop = 0;
    while (drop < stamps.length && stamps[drop]! <= now - 1000) drop++;
    if (drop > 0) stamps.splice(0, drop);
    const allowed = Math.max(0, Math.min(units, limit - stamps.length));
    for (let i = 0; i < allowed; i++) stamps.push(now);
    const remaining = limit - stamps.length;
    const resetAt = remaining > 0 || stamps.length === 0 ? now : stamps[0]! + 1000;
    return { allowed, limit, remaining, resetAt: Math.floor(resetAt) };
  }
}
