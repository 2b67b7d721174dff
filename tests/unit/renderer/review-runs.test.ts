import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../engine/api/contract.ts';
import {
  DEFAULT_SORT,
  filterRuns,
  nextSort,
  paramsText,
  selectedInOrder,
  sortRuns,
  statColumns,
  statText,
} from '../../../renderer/src/review/runs.ts';

function run(id: number, over: Partial<RunView> = {}): RunView {
  return {
    id,
    recording: 'sample-btcusdt',
    symbol: 'BTCUSDT',
    set: {},
    queue: 'risk-averse',
    latencyMs: 5,
    createdAt: 1_000 * id,
    status: 'done',
    error: null,
    stats: { pnl_total: '0', fills: 0 },
    sweep: null,
    ...over,
  };
}

const ids = (runs: RunView[]) => runs.map((r) => r.id);

describe('review: the runs table', () => {
  it('prints parameters in name order, "defaults" when none were changed', () => {
    expect(paramsText({ kappa: '2', gamma: '0.1' })).toBe('gamma=0.1 kappa=2');
    expect(paramsText({})).toBe('defaults');
  });

  it('filters on every word over recording, parameters, queue and status, case-insensitively', () => {
    const runs = [
      run(1, { set: { gamma: '0.1' } }),
      run(2, { set: { gamma: '0.2' }, recording: 'ETH-day', symbol: 'ETHUSDT' }),
      run(3, { status: 'failed', error: 'Chunk corrupt', stats: null }),
      run(4, { queue: 'prob-log', set: { gamma: '0.1', kappa: '3' } }),
    ];
    expect(ids(filterRuns(runs, 'gamma=0.1'))).toEqual([1, 4]);
    expect(ids(filterRuns(runs, 'GAMMA=0.1  prob-log'))).toEqual([4]);
    expect(ids(filterRuns(runs, 'eth'))).toEqual([2]);
    expect(ids(filterRuns(runs, 'failed'))).toEqual([3]);
    expect(ids(filterRuns(runs, 'corrupt'))).toEqual([3]);
    expect(ids(filterRuns(runs, '   '))).toEqual([1, 2, 3, 4]);
    expect(filterRuns(runs, 'nothing-like-this')).toEqual([]);
  });

  it('sorts statistics exactly as decimals, runs without the figure last in both directions', () => {
    const runs = [
      run(1, { stats: { pnl_total: '9.5' } }),
      run(2, { stats: { pnl_total: '10.25' } }),
      run(3, { stats: null, status: 'failed' }),
      run(4, { stats: { pnl_total: '-100' } }),
      run(5, { stats: { pnl_total: '9007199254740993' } }),
      run(6, { stats: { pnl_total: '9007199254740992' } }),
    ];
    expect(ids(sortRuns(runs, { column: 'stat:pnl_total', dir: 'desc' }))).toEqual([5, 6, 2, 1, 4, 3]);
    expect(ids(sortRuns(runs, { column: 'stat:pnl_total', dir: 'asc' }))).toEqual([4, 1, 2, 6, 5, 3]);
  });

  it('sorts text naturally and breaks ties by id; newest first by default', () => {
    const runs = [
      run(1, { recording: 'rec-10' }),
      run(2, { recording: 'rec-2' }),
      run(3, { recording: 'rec-2' }),
    ];
    expect(ids(sortRuns(runs, { column: 'recording', dir: 'asc' }))).toEqual([2, 3, 1]);
    expect(ids(sortRuns(runs, DEFAULT_SORT))).toEqual([3, 2, 1]);
    expect(ids(sortRuns(runs, { column: 'createdAt', dir: 'asc' }))).toEqual([1, 2, 3]);
  });

  it('flips the direction on the same column, starts figures descending and text ascending', () => {
    expect(nextSort(DEFAULT_SORT, 'createdAt')).toEqual({ column: 'createdAt', dir: 'asc' });
    expect(nextSort(DEFAULT_SORT, 'stat:sharpe')).toEqual({ column: 'stat:sharpe', dir: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'recording')).toEqual({ column: 'recording', dir: 'asc' });
  });

  it('has columns only for the headline statistics some run has', () => {
    const runs = [run(1, { stats: { sharpe: 1.2, pnl_total: '1' } }), run(2, { stats: null })];
    expect(statColumns(runs)).toEqual(['pnl_total', 'sharpe']);
    expect(statColumns([])).toEqual([]);
  });

  it('keeps the selection in table order and forgets runs no longer listed', () => {
    const runs = [run(3), run(1), run(2)];
    expect(selectedInOrder(runs, new Set([2, 3, 99]))).toEqual([3, 2]);
  });

  it('prints statistic values of any shape', () => {
    expect(statText(null)).toBe('—');
    expect(statText('1.50')).toBe('1.50');
    expect(statText(2)).toBe('2');
    expect(statText(Number.NaN)).toBe('—');
    expect(statText({ '1s': 0 })).toBe('{"1s":0}');
  });
});
