import { describe, expect, it } from 'vitest';
import { RecentMap, RecentSet } from '../../../engine/core/recent-set.ts';
import { Rng } from '../../../engine/core/random.ts';

describe('RecentSet', () => {
  it('remembers the last N keys and reports what it forgot', () => {
    const s = new RecentSet(3);
    expect([s.add('a'), s.add('b'), s.add('c')]).toEqual([undefined, undefined, undefined]);
    expect(s.add('d')).toBe('a');
    expect(s.has('a')).toBe(false);
    expect(s.has('d')).toBe(true);
    expect(s.add('e')).toBe('b');
    expect(s.size).toBe(3);
    expect(() => new RecentSet(0)).toThrow(/capacity/);
  });

  it('adds only new keys, and a repeat neither evicts nor refreshes anything', () => {
    const s = new RecentSet(2);
    expect(s.addIfNew('a')).toBe(true);
    expect(s.addIfNew('a')).toBe(false);
    expect(s.addIfNew('b')).toBe(true);
    expect(s.addIfNew('b')).toBe(false);
    expect(s.size).toBe(2);
    expect(s.has('a')).toBe(true);
    expect(s.addIfNew('c')).toBe(true);
    expect(s.has('a')).toBe(false);
    expect(s.has('b') && s.has('c')).toBe(true);
    expect(s.addIfNew('a')).toBe(true);
    expect(s.has('b')).toBe(false);
  });

  it('agrees with a reference set-and-queue over many random adds, repeats and evictions', () => {
    const rng = new Rng(5);
    for (const capacity of [1, 2, 3, 7, 16, 50, 300]) {
      const s = new RecentSet(capacity);
      const ref: string[] = [];
      const universe = Array.from({ length: capacity * 3 + 5 }, (_, i) => `k${i * 7919}`);
      for (let step = 0; step < 4000; step++) {
        const key = universe[rng.int(0, universe.length - 1)]!;
        const wasNew = !ref.includes(key);
        expect(s.addIfNew(key)).toBe(wasNew);
        if (wasNew) {
          ref.push(key);
          if (ref.length > capacity) ref.shift();
        }
        if (step % 97 === 0) for (const k of universe) expect(s.has(k)).toBe(ref.includes(k));
      }
      expect(s.size).toBe(ref.length);
      for (const k of universe) expect(s.has(k)).toBe(ref.includes(k));
    }
  });

  it('as a map, returns the value of a remembered key until the key is evicted', () => {
    const m = new RecentMap<{ n: number }>(2);
    m.add('a', { n: 1 });
    expect(m.addIfNew('a', { n: 9 })).toBe(false);
    m.add('b', { n: 2 });
    expect(m.get('a')).toEqual({ n: 1 });
    expect(m.add('c', { n: 3 })).toBe('a');
    expect(m.get('a')).toBeUndefined();
    expect([m.get('b')?.n, m.get('c')?.n]).toEqual([2, 3]);
  });
});
