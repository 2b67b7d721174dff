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
});
