import type { Clock } from '../../core/clock.ts';
import type { IdSource } from '../bybit/ids.ts';
import type { MexcAccount } from './account.ts';

/** The venue's limits on listen keys (B7). */
export const KEYS_PER_ACCOUNT = 60;
export const CONNECTIONS_PER_KEY = 5;
export const DEFAULT_KEY_TTL_MS = 60 * 60 * 1000;

interface KeyState {
  readonly account: MexcAccount;
  expiresAt: number;
}

/**
 * The user-data-stream keys (POST/PUT/DELETE/GET /api/v3/userDataStream): issued for 60 minutes,
 * extended by PUT, closed by DELETE, at most 60 valid ones per account. The WebSocket side asks
 * whether a key is valid when a `?listenKey=` connection opens and drops the connections of a key
 * that expires or is closed (through `onGone`).
 */
export class ListenKeys {
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly ttlMs: number;
  private readonly keys = new Map<string, KeyState>();
  /** Called when a key stops being valid (closed or expired). */
  onGone: (key: string) => void = () => {};

  constructor(clock: Clock, ids: IdSource, ttlMs: number) {
    if (!(ttlMs > 0)) throw new RangeError('a listen key lifetime is a positive number of ms');
    this.clock = clock;
    this.ids = ids;
    this.ttlMs = ttlMs;
  }

  /** A new key, or undefined when the account holds the maximum already. */
  issue(account: MexcAccount): string | undefined {
    this.expire();
    if (this.of(account).length >= KEYS_PER_ACCOUNT) return undefined;
    // 64 hex digits, the length of the venue's keys.
    const key = (this.ids.uuid() + this.ids.uuid()).replaceAll('-', '');
    this.keys.set(key, { account, expiresAt: this.clock.now() + this.ttlMs });
    return key;
  }

  /** Extends a key of this account by the lifetime; false when it is not one of its valid keys. */
  extend(account: MexcAccount, key: string): boolean {
    this.expire();
    const state = this.keys.get(key);
    if (state === undefined || state.account !== account) return false;
    state.expiresAt = this.clock.now() + this.ttlMs;
    return true;
  }

  close(account: MexcAccount, key: string): boolean {
    this.expire();
    const state = this.keys.get(key);
    if (state === undefined || state.account !== account) return false;
    this.keys.delete(key);
    this.onGone(key);
    return true;
  }

  /** The account a valid key belongs to. */
  owner(key: string): MexcAccount | undefined {
    this.expire();
    return this.keys.get(key)?.account;
  }

  /** The account's valid keys, oldest first. */
  of(account: MexcAccount): string[] {
    return [...this.keys.entries()].filter(([, s]) => s.account === account).map(([k]) => k);
  }

  /** Removes the keys whose time is up; returns how many. */
  expire(): number {
    const now = this.clock.now();
    let n = 0;
    for (const [key, state] of this.keys) {
      if (state.expiresAt > now) continue;
      this.keys.delete(key);
      this.onGone(key);
      n++;
    }
    return n;
  }
}
