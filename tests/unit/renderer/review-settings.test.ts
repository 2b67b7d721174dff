import { describe, expect, it } from 'vitest';
import {
  defaultRecording,
  fixedForSweep,
  paramSet,
  parseLatency,
  parseValueList,
  sweepPlan,
} from '../../../renderer/src/review/settings.ts';

describe('review: backtest and sweep settings', () => {
  it('sends only the parameters typed, trimmed, as strings', () => {
    expect(paramSet({ gamma: ' 0.1 ', kappa: '', size: '  ' })).toEqual({ gamma: '0.1' });
    expect(paramSet({})).toEqual({});
  });

  it('reads comma-separated lists: blanks dropped, each value once, in the order typed', () => {
    expect(parseValueList('0.2, 0.1,,0.2 , 0.3')).toEqual(['0.2', '0.1', '0.3']);
    expect(parseValueList(' , ')).toEqual([]);
  });

  it('plans a sweep as the product of its lists, refusing none and too many', () => {
    expect(sweepPlan({ gamma: '0.1,0.2', kappa: '1, 2, 3', size: '' })).toEqual({
      grid: { gamma: ['0.1', '0.2'], kappa: ['1', '2', '3'] },
      points: 6,
      problem: null,
    });
    expect(sweepPlan({ gamma: '', kappa: ' ' }).problem).toMatch(/list/);
    const many = Array.from({ length: 101 }, (_, i) => String(i)).join(',');
    expect(sweepPlan({ gamma: many }).problem).toMatch(/at most 100/);
    const big = Array.from({ length: 100 }, (_, i) => String(i)).join(',');
    const plan = sweepPlan({ gamma: big, kappa: big, size: '1,2' });
    expect(plan.points).toBe(20_000);
    expect(plan.problem).toMatch(/at most 10,000/);
  });

  it('keeps the fixed parameters the grid does not sweep', () => {
    expect(fixedForSweep({ gamma: '0.1', size: '0.01' }, { gamma: ['1', '2'] })).toEqual({ size: '0.01' });
  });

  it('reads the latency as whole ms, empty for the default', () => {
    expect(parseLatency('')).toBeUndefined();
    expect(parseLatency(' 25 ')).toBe(25);
    expect(parseLatency('60000')).toBe(60_000);
    expect(parseLatency('60001')).toBeNull();
    expect(parseLatency('2.5')).toBeNull();
    expect(parseLatency('-1')).toBeNull();
  });

  it('proposes the sample recording first', () => {
    const list = [
      { name: 'mine', source: 'data' },
      { name: 'other-sample', source: 'sample' },
      { name: 'sample-btcusdt', source: 'sample' },
    ];
    expect(defaultRecording(list)).toBe('sample-btcusdt');
    expect(defaultRecording(list.slice(0, 2))).toBe('other-sample');
    expect(defaultRecording(list.slice(0, 1))).toBe('mine');
    expect(defaultRecording([])).toBeNull();
  });
});
