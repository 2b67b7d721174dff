import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../engine/api/contract.ts';
import {
  buildHeatmap,
  heatColor,
  numericStats,
  sortValues,
  sweepRuns,
  varyingParams,
} from '../../../renderer/src/review/heatmap.ts';

let next = 1;
function run(set: Record<string, string>, stats: RunView['stats'], over: Partial<RunView> = {}): RunView {
  const id = next++;
  return {
    id,
    recording: 'r',
    symbol: 'BTCUSDT',
    set,
    queue: 'risk-averse',
    latencyMs: 5,
    createdAt: id,
    status: 'done',
    error: null,
    stats,
    sweep: 's1',
    ...over,
  };
}

describe('review: the sweep heatmap', () => {
  const runs = [
    run({ gamma: '0.1', kappa: '1', size: '0.01' }, { pnl_total: '5', sharpe: 1 }),
    run({ gamma: '0.05', kappa: '1', size: '0.01' }, { pnl_total: '-10' }),
    run({ gamma: '0.1', kappa: '2', size: '0.01' }, { pnl_total: '2.5' }),
    run({ gamma: '0.05', kappa: '2', size: '0.01' }, { pnl_total: '0' }),
    run({ gamma: '0.05', kappa: '2', size: '0.02' }, { pnl_total: '7' }),
    run({ gamma: '9', kappa: '9' }, { pnl_total: '1' }, { sweep: 'other' }),
  ];
  const sweep = sweepRuns(runs, 's1');

  it('takes the runs of one sweep and the parameters that vary, values in numeric order', () => {
    expect(sweep).toHaveLength(5);
    expect(varyingParams(sweep)).toEqual([
      { key: 'gamma', values: ['0.05', '0.1'] },
      { key: 'kappa', values: ['1', '2'] },
      { key: 'size', values: ['0.01', '0.02'] },
    ]);
    expect(sortValues(['10', '9', '0.5'])).toEqual(['0.5', '9', '10']);
    expect(sortValues(['b', 'a10', 'a9'])).toEqual(['a9', 'a10', 'b']);
    expect(numericStats(sweep)).toEqual(['pnl_total', 'sharpe']);
  });

  it('lays the statistic out over x and y with the other parameters held at a value', () => {
    const map = buildHeatmap(sweep, 'pnl_total', 'gamma', 'kappa', { size: '0.01' });
    expect(map.x.values).toEqual(['0.05', '0.1']);
    expect(map.y.values).toEqual(['1', '2']);
    expect(map.cells.map((row) => row.map((c) => c.text))).toEqual([
      ['-10', '5'],
      ['0', '2.5'],
    ]);
    expect(map.cells[1]![0]!.run?.set.size).toBe('0.01');
    expect(map.maxAbs).toBe(10);
    const other = buildHeatmap(sweep, 'pnl_total', 'gamma', 'kappa', { size: '0.02' });
    expect(other.cells[1]![0]!.text).toBe('7');
    expect(other.cells[0]![0]!.run).toBeNull();
  });

  it('shows the newest run where a point was run twice, and nothing for a missing statistic', () => {
    const twice = [...sweep, run({ gamma: '0.1', kappa: '1', size: '0.01' }, { pnl_total: '6' })];
    const map = buildHeatmap(twice, 'pnl_total', 'gamma', 'kappa', { size: '0.01' });
    expect(map.cells[0]![1]!.text).toBe('6');
    const sharpe = buildHeatmap(sweep, 'sharpe', 'gamma', 'kappa', { size: '0.01' });
    expect(sharpe.cells[0]![0]!.value).toBeNull();
    expect(sharpe.cells[0]![1]!.value).toBe(1);
  });

  it('colours around zero: red below, green above, grey at zero and where there is nothing', () => {
    const [r1, g1] = heatColor(-10, 10).match(/\d+/g)!.map(Number);
    const [r2, g2] = heatColor(10, 10).match(/\d+/g)!.map(Number);
    expect(r1!).toBeGreaterThan(g1!);
    expect(g2!).toBeGreaterThan(r2!);
    expect(heatColor(0, 10)).toBe(heatColor(0, 0));
    expect(heatColor(null, 10)).not.toBe(heatColor(5, 10));
    // Stronger with the size of the figure.
    expect(heatColor(2, 10)).not.toBe(heatColor(9, 10));
  });
});
