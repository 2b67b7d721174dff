import { describe, expect, it } from 'vitest';
import { FillHistory } from '../../../../engine/venues/sim/fill-history.ts';

describe('FillHistory', () => {
  it('keeps the last capacity records, oldest first, through growth and wrap-around', () => {
    const h = new FillHistory(3000);
    for (let i = 1; i <= 5000; i++) {
      h.add(
        i % 3,
        i,
        `c${i}`,
        100 + i,
        i % 2 === 0 ? 'buy' : 'sell',
        1000 + i,
        1 + (i % 7),
        i % 5 === 0 ? 'maker' : 'taker',
        10 * i,
      );
    }
    expect(h.size).toBe(3000);
    const all = h.since(0);
    expect(all).toHaveLength(3000);
    expect(all[0]).toEqual({
      symbolIndex: 2001 % 3,
      execSeq: 2001,
      clientId: 'c2001',
      engineId: 2101,
      side: 'sell',
      price: 3001,
      size: 1 + (2001 % 7),
      liquidity: 'taker',
      ts: 20010,
    });
    expect(all.map((r) => r.execSeq)).toEqual(Array.from({ length: 3000 }, (_, k) => 2001 + k));
    expect(all.filter((r) => r.liquidity === 'maker').every((r) => r.execSeq % 5 === 0)).toBe(true);
    expect(h.since(49_991).map((r) => r.execSeq)).toEqual([5000]);
  });

  it('answers nothing before the first record and keeps a capacity of one', () => {
    const h = new FillHistory(1);
    expect(h.since(0)).toEqual([]);
    h.add(0, 1, 'a', 1, 'buy', 5, 1, 'maker', 7);
    h.add(0, 2, 'b', 2, 'sell', 6, 2, 'taker', 8);
    expect(h.since(0).map((r) => r.clientId)).toEqual(['b']);
  });
});
