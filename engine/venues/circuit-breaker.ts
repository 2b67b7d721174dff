import type { Clock } from '../core/clock.ts';
import type { VenueResult } from './venue.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Guards venue calls: after `failures` consecutive failures the breaker opens and answers at once
 * with `venue_unavailable` for `coolDownMs`; then one probe call goes through (half-open): success
 * closes it, failure opens it again. Business rejects (post-only would take, insufficient funds …) are
 * the venue working, not failing, and do not count. It never throws: a call that throws or rejects
 * becomes a failure value.
 */
export class CircuitBreaker {
  private readonly clock: Clock;
  private readonly failures: number;
  private readonly coolDownMs: number;
  private current: BreakerState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;
  trips = 0;

  constructor(clock: Clock, failures = 5, coolDownMs = 5000) {
    if (!Number.isSafeInteger(failures) || failures < 1)
      throw new RangeError('failures must be a whole number ≥ 1');
    if (!(coolDownMs > 0)) throw new RangeError('cool-down must be positive');
    this.clock = clock;
    this.failures = failures;
    this.coolDownMs = coolDownMs;
  }

  state(): BreakerState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.coolDownMs)
      this.current = 'half-open';
    return this.current;
  }

  /**
   * Asks to make one call: null to go ahead (the answer must then be passed to `record`), or the
   * refusal to answer with instead while the breaker is open or a probe is already out.
   */
  admit(): { ok: false; code: 'venue_unavailable'; message: string } | null {
    const s = this.state();
    if (s === 'open' || (s === 'half-open' && this.probing)) {
      return {
        ok: false,
        code: 'venue_unavailable',
        message: 'circuit breaker open: venue calls paused after repeated failures',
      };
    }
    if (s === 'half-open') this.probing = true;
    return null;
  }

  /** Counts the answer of an admitted call. */
  record(result: VenueResult<unknown>): void {
    if (!result.ok && (result.code === 'venue_unavailable' || result.code === 'rate_limited')) this.fail();
    else this.succeed();
  }

  async call<T>(fn: () => Promise<VenueResult<T>>): Promise<VenueResult<T>> {
    const refused = this.admit();
    if (refused) return refused;
    let result: VenueResult<T>;
    try {
      result = await fn();
    } catch (err) {
      result = {
        ok: false,
        code: 'venue_unavailable',
        message: err instanceof Error ? err.message : String(err),
      };
    }
    this.record(result);
    return result;
  }

  private fail(): void {
    this.probing = false;
    this.consecutive++;
    if (this.current === 'half-open' || this.consecutive >= this.failures) {
      if (this.current !== 'open') this.trips++;
      this.current = 'open';
      this.openedAt = this.clock.now();
    }
  }

  private succeed(): void {
    this.probing = false;
    this.consecutive = 0;
    this.current = 'closed';
  }
}
