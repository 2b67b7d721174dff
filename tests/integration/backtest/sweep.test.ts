import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/core/errors.ts';
import { defineInstrument } from '../../../engine/core/instrument.ts';
import { BacktestStore, backtestsFile } from '../../../engine/backtest/results-store.ts';
import { DEFAULT_PARAMS } from '../../../engine/backtest/runner.ts';
import { expandGrid, runSweep, type SweepPointResult } from '../../../engine/backtest/sweep.ts';
import { defaultSimInstruments } from '../../../engine/venues/sim/index.ts';
import { backtestCli } from '../../support/backtest-cli.ts';

const runCli = backtestCli;

let dataDir: string;

function storedRuns(sweep?: string): ReturnType<BacktestStore['list']> {
  const store = new BacktestStore(backtestsFile(dataDir));
  try {
    return store.list().filter((r) => sweep === undefined || r.sweep === sweep);
  } finally {
    store.close();
  }
}

const GRID = { gamma: ['0.005', '0.5'], kappa: ['0.5', '1.5'] };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mm-sweep-'));
  const made = await runCli([
    'record',
    '--venue',
    'sim',
    '--name',
    't',
    '--seconds',
    '30',
    '--data-dir',
    dataDir,
  ]);
  expect(made.code, made.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('expandGrid', () => {
  const instruments = defaultSimInstruments()
    .slice(0, 1)
    .map((i) => defineInstrument(i.spec));

  it('is the cartesian product in grid order, the last parameter fastest, over the base', () => {
    const base = { ...DEFAULT_PARAMS, set: { levels: '2' }, latencyMs: 9 };
    const points = expandGrid(base, { gamma: ['0.1', '0.2', '0.3'], kappa: ['1', '2'] }, instruments);
    expect(points.map((p) => p.set)).toEqual([
      { levels: '2', gamma: '0.1', kappa: '1' },
      { levels: '2', gamma: '0.1', kappa: '2' },
      { levels: '2', gamma: '0.2', kappa: '1' },
      { levels: '2', gamma: '0.2', kappa: '2' },
      { levels: '2', gamma: '0.3', kappa: '1' },
      { levels: '2', gamma: '0.3', kappa: '2' },
    ]);
    expect(points.every((p) => p.latencyMs === 9 && p.queue === DEFAULT_PARAMS.queue)).toBe(true);
  });

  it('refuses an empty grid, an unknown name, a bad value anywhere, and more than 10,000 points', () => {
    const refused = (grid: Record<string, string[]>): string => {
      try {
        expandGrid(DEFAULT_PARAMS, grid, instruments);
      } catch (err) {
        expect(err).toBeInstanceOf(EngineError);
        // A size that is not whole lots is an invalid number; everything else invalid input.
        expect(['invalid_input', 'invalid_number']).toContain((err as EngineError).code);
        return (err as Error).message;
      }
      throw new Error(`grid ${JSON.stringify(grid)} was accepted`);
    };
    expect(refused({})).toMatch(/empty/);
    expect(refused({ gamma: [] })).toMatch(/gamma has no values/);
    expect(refused({ gama: ['0.1'] })).toMatch(/unknown sweep parameter gama/);
    expect(refused({ gamma: ['0.1', '0.2', '-1'] })).toMatch(/gamma must be a positive number/);
    // A size must be whole lots of the recording's instrument.
    expect(refused({ size: ['0.001', '0.0001'] })).toMatch(/not a multiple/);
    expect(refused({ gamma: ['0.1', '0.1'] })).toMatch(/twice/);
    const many = Array.from({ length: 101 }, (_, i) => String(i + 1));
    expect(refused({ levels: many, min_refresh_ms: many })).toMatch(/10,201 points, more than 10,000/);
    expect(
      expandGrid(
        DEFAULT_PARAMS,
        { levels: many.slice(0, 100), min_refresh_ms: many.slice(0, 100) },
        instruments,
      ),
    ).toHaveLength(10_000);
  });
});

describe('runSweep', () => {
  it('runs a 2x2 grid on worker threads and stores every point with the sweep id', async () => {
    const progress: [number, number, SweepPointResult][] = [];
    const summary = await runSweep({
      dataDir,
      recording: 't',
      base: DEFAULT_PARAMS,
      grid: GRID,
      threads: 2,
      onProgress: (done, total, last) => progress.push([done, total, last]),
    });
    expect(summary).toMatchObject({ points: 4, done: 4, failed: 0, cancelled: false, threads: 2 });
    expect(progress.map(([done, total]) => [done, total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(summary.results.map((r) => r.params.set)).toEqual([
      { gamma: '0.005', kappa: '0.5' },
      { gamma: '0.005', kappa: '1.5' },
      { gamma: '0.5', kappa: '0.5' },
      { gamma: '0.5', kappa: '1.5' },
    ]);

    const stored = storedRuns(summary.sweep);
    expect(stored).toHaveLength(4);
    for (const r of summary.results) {
      const row = stored.find((s) => s.id === r.runId);
      expect(row?.status).toBe('done');
      expect(row?.params).toEqual(r.params);
      expect(row?.stats).toEqual(r.stats);
      expect(r.stats?.events).toBeGreaterThan(1000);
    }

    // A parameter change changes the run: a far larger risk aversion quotes wider and fills less.
    const [low, , high] = summary.results;
    expect(low!.stats!.fills).toBeGreaterThan(high!.stats!.fills);
    expect(low!.stats!.pnl_total).not.toBe(high!.stats!.pnl_total);
    const bestPnl = Math.max(...summary.results.map((r) => Number(r.stats!.pnl_total)));
    expect(Number(summary.best?.stats?.pnl_total)).toBe(bestPnl);
  });

  it('gives the same statistics per point on one thread as on two', async () => {
    const grid = { gamma: ['0.005', '0.05', '0.5'], size: ['0.01', '0.002'] };
    const one = await runSweep({ dataDir, recording: 't', base: DEFAULT_PARAMS, grid, threads: 1 });
    const two = await runSweep({ dataDir, recording: 't', base: DEFAULT_PARAMS, grid, threads: 2 });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(one.done).toBe(6);
    expect(two.results.map((r) => [r.params, r.stats])).toEqual(one.results.map((r) => [r.params, r.stats]));
    // Not trivially equal: the points differ from each other.
    expect(new Set(one.results.map((r) => r.stats?.pnl_total)).size).toBeGreaterThan(1);
  });

  it('stops early when cancelled and keeps the results so far', async () => {
    const cancel = new AbortController();
    const summary = await runSweep({
      dataDir,
      recording: 't',
      base: DEFAULT_PARAMS,
      grid: { gamma: ['0.005', '0.01', '0.05', '0.1', '0.2', '0.5'] },
      threads: 1,
      signal: cancel.signal,
      onProgress: (done) => {
        if (done === 1) cancel.abort();
      },
    });
    expect(summary.cancelled).toBe(true);
    expect(summary.points).toBe(6);
    expect(summary.done).toBe(1);
    expect(summary.results[0]?.params.set).toEqual({ gamma: '0.005' });
    const stored = storedRuns(summary.sweep);
    expect(stored.map((r) => r.id)).toEqual([summary.results[0]!.runId]);
    expect(stored[0]?.status).toBe('done');
  });

  it('refuses a bad grid name before running anything', async () => {
    const before = storedRuns().length;
    const attempt = runSweep({
      dataDir,
      recording: 't',
      base: DEFAULT_PARAMS,
      grid: { gamma: ['0.1', '0.2'], kapa: ['1'] },
    });
    await expect(attempt).rejects.toThrow(/unknown sweep parameter kapa: use gamma, kappa/);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid_input' });
    expect(storedRuns()).toHaveLength(before);
  });

  it('refuses a recording that does not exist', async () => {
    await expect(
      runSweep({ dataDir, recording: 'nope', base: DEFAULT_PARAMS, grid: { gamma: ['0.1'] } }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('backtest CLI sweep', () => {
  it('prints one JSON object with the sweep, its points and the best one', async () => {
    const out = await runCli([
      'sweep',
      '--recording',
      't',
      '--grid',
      'gamma=0.05,0.5',
      '--set',
      'kappa=1.5',
      '--threads',
      '2',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as {
      sweep: string;
      points: number;
      done: number;
      failed: number;
      best: { run: number; params: Record<string, string>; pnl_total: string };
      results: { run: number; params: Record<string, string>; pnl_total: string }[];
    };
    expect(report).toMatchObject({ points: 2, done: 2, failed: 0 });
    expect(report.results.map((r) => r.params)).toEqual([
      { kappa: '1.5', gamma: '0.05' },
      { kappa: '1.5', gamma: '0.5' },
    ]);
    const best = report.results.reduce((a, b) => (Number(b.pnl_total) > Number(a.pnl_total) ? b : a));
    expect(report.best.run).toBe(best.run);
    expect(
      storedRuns(report.sweep)
        .map((r) => r.id)
        .sort(),
    ).toEqual(report.results.map((r) => r.run).sort());
  });

  it('exits 2 on a --grid name that is not a parameter, having run nothing', async () => {
    const before = storedRuns().length;
    const out = await runCli(['sweep', '--recording', 't', '--grid', 'gama=1', '--data-dir', dataDir]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/unknown parameter gama/);
    expect(storedRuns()).toHaveLength(before);
  });
});
