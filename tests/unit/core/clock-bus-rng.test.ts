import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../engine/core/bus.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { ClientIdFactory } from '../../../engine/core/ids.ts';
import { Rng } from '../../../engine/core/random.ts';

describe('SimClock', () => {
  it('fires timers in time order, then creation order, only when advanced', () => {
    const clock = new SimClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimer(cancelled);
    expect(fired).toEqual([]);
    clock.advance(15);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(1015);
    clock.advance(5);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('runs intervals at their period and lets a timer schedule another within the same advance', () => {
    const clock = new SimClock(0);
    const at: number[] = [];
    const h = clock.setInterval(() => at.push(clock.now()), 100);
    clock.setTimeout(() => clock.setTimeout(() => at.push(-clock.now()), 5), 250);
    clock.advance(400);
    expect(at).toEqual([100, 200, -255, 300, 400]);
    clock.clearTimer(h);
    clock.advance(1000);
    expect(at).toHaveLength(5);
  });

  it('fires thousands of random timers exactly in (time, creation) order, skipping cleared ones', () => {
    const clock = new SimClock(0);
    const rng = new Rng(3);
    const fired: number[] = [];
    const expected: { at: number; n: number }[] = [];
    const handles = [];
    for (let n = 0; n < 5000; n++) {
      const at = rng.int(0, 300);
      handles.push({ h: clock.setTimeout(() => fired.push(n), at), at, n });
    }
    for (const x of handles) {
      if (rng.next() < 0.3) clock.clearTimer(x.h);
      else expected.push({ at: x.at, n: x.n });
    }
    expected.sort((a, b) => a.at - b.at || a.n - b.n);
    clock.advance(150);
    clock.advance(150);
    expect(fired).toEqual(expected.map((e) => e.n));
    // A fired one-shot timer cleared afterwards, and a handle from another clock, change nothing.
    clock.clearTimer(handles[0]!.h);
    new SimClock(0).clearTimer(handles[1]!.h);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('refuses to go back in time', () => {
    const clock = new SimClock(100);
    expect(() => clock.advanceTo(50)).toThrow(/cannot go back/);
    expect(clock.now()).toBe(100);
  });
});

describe('EventBus', () => {
  interface Topics {
    tick: number;
    note: string;
  }
  it('delivers synchronously in subscription order and isolates a throwing subscriber', () => {
    const errors: string[] = [];
    const bus = new EventBus<Topics>((topic) => errors.push(topic));
    const got: string[] = [];
    bus.subscribe('tick', (n) => got.push(`a${n}`));
    bus.subscribe('tick', () => {
      throw new Error('bad');
    });
    const off = bus.subscribe('tick', (n) => got.push(`c${n}`));
    bus.publish('tick', 1);
    off();
    bus.publish('tick', 2);
    bus.publish('note', 'nobody listens');
    expect(got).toEqual(['a1', 'c1', 'a2']);
    expect(errors).toEqual(['tick', 'tick']);
  });

  it('lets a subscriber unsubscribe itself during a publish without skipping others', () => {
    const bus = new EventBus<Topics>(() => undefined);
    const got: string[] = [];
    const off = bus.subscribe('tick', () => {
      got.push('once');
      off();
    });
    bus.subscribe('tick', () => got.push('always'));
    bus.publish('tick', 1);
    bus.publish('tick', 2);
    expect(got).toEqual(['once', 'always', 'always']);
  });
});

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('draws distributions with the right moments', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let e = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
      e += rng.exponential(4);
      p += rng.poisson(3);
    }
    // Tolerances are 5 standard errors of each sample mean.
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(e / n - 0.25)).toBeLessThan(5 * (0.25 / Math.sqrt(n)));
    expect(Math.abs(p / n - 3)).toBeLessThan(5 * Math.sqrt(3 / n));
  });
});

describe('ClientIdFactory', () => {
  it('makes unique ids every venue accepts', () => {
    const f = new ClientIdFactory('mm7');
    const ids = Array.from({ length: 10_000 }, () => f.next());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(() => new ClientIdFactory('bad prefix')).toThrow(/prefix/);
  });
});
