import { describe, expect, it } from 'vitest';
import { newItems, perSecond } from '../../../renderer/src/series-points.ts';

describe('chart series from the store’s lists', () => {
  it('keeps one point per second (the last wins), ascending, and skips samples without a value', () => {
    const samples = [
      { at: 1_000, v: '1' },
      { at: 1_900, v: '2' },
      { at: 2_100, v: null },
      { at: 3_000, v: '3' },
      { at: 2_500, v: '9' },
    ];
    expect(perSecond(samples, (s) => s.v)).toEqual([
      { time: 1, value: 2 },
      { time: 3, value: 3 },
    ]);
  });

  it('finds what a capped list gained since the last drawn item, or asks for a redraw', () => {
    const a = { id: 1 };
    const b = { id: 2 };
    const c = { id: 3 };
    expect(newItems([a, b, c], b)).toEqual({ reset: false, items: [c] });
    expect(newItems([a, b], b)).toEqual({ reset: false, items: [] });
    // `a` was capped out: redraw everything.
    expect(newItems([b, c], a)).toEqual({ reset: true, items: [b, c] });
    expect(newItems([a], undefined)).toEqual({ reset: true, items: [a] });
  });
});
