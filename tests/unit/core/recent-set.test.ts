import { describe, expect, it } from 'vitest';
import { RecentSet } from '../../../engine/core/recent-set.ts';

describe('RecentSet', () => {
  it('remembers the last N keys and reports what it forgot', () => {
    const s = new RecentSet<string>(3);
    expect([s.add('a'), s.add('b'), s.add('c')]).toEqual([undefined, undefined, undefined]);
    expect(s.add('d')).toBe('a');
    expect(s.has('a')).toBe(false);
    expect(s.has('d')).toBe(true);
    expect(s.add('e')).toBe('b');
    expect(s.size).toBe(3);
    expect(() => new RecentSet(0)).toThrow(/capacity/);
  });

  it('adds only new keys, and a repeat neither evicts nor refreshes anything', () => {
    const s = new RecentSet<string>(2);
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
});
