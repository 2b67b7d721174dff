import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { CircuitBreaker } from '../../../engine/venues/circuit-breaker.ts';
import type { VenueResult } from '../../../engine/venues/venue.ts';

const ok = (): Promise<VenueResult<number>> => Promise.resolve({ ok: true, value: 1 });
const down = (): Promise<VenueResult<number>> =>
  Promise.resolve({ ok: false, code: 'venue_unavailable', message: 'down' });
const business = (): Promise<VenueResult<number>> =>
  Promise.resolve({ ok: false, code: 'post_only_would_take', message: 'would take' });

describe('circuit breaker', () => {
  it('opens after repeated failures, probes once after the cool-down, closes on success', async () => {
    const clock = new SimClock(0);
    const b = new CircuitBreaker(clock, 3, 1000);
    for (let i = 0; i < 3; i++) await b.call(down);
    expect(b.state()).toBe('open');
    let called = 0;
    const counted = () => {
      called++;
      return ok();
    };
    expect(await b.call(counted)).toMatchObject({ ok: false, code: 'venue_unavailable' });
    expect(called).toBe(0);
    clock.advance(1000);
    expect(b.state()).toBe('half-open');
    expect(await b.call(down)).toMatchObject({ ok: false });
    expect(b.state()).toBe('open');
    clock.advance(1000);
    expect(await b.call(counted)).toEqual({ ok: true, value: 1 });
    expect(b.state()).toBe('closed');
    expect(b.trips).toBe(2);
  });

  it('does not count business rejects, and never throws even when the call throws', async () => {
    const clock = new SimClock(0);
    const b = new CircuitBreaker(clock, 2, 1000);
    for (let i = 0; i < 5; i++) await b.call(business);
    expect(b.state()).toBe('closed');
    const sync = (): Promise<VenueResult<number>> => {
      throw new Error('socket gone');
    };
    const rejecting = (): Promise<VenueResult<number>> => Promise.reject(new Error('timeout'));
    expect(await b.call(sync)).toEqual({ ok: false, code: 'venue_unavailable', message: 'socket gone' });
    expect(await b.call(rejecting)).toEqual({ ok: false, code: 'venue_unavailable', message: 'timeout' });
    expect(b.state()).toBe('open');
  });
});
