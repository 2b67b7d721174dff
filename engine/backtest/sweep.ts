/**
 * Parameter sweeps: a grid of backtest parameters (gamma × kappa × size …), every point a backtest of
 * the same recording, run in parallel on a pool of worker threads (piscina), every result stored.
 *
 * Guarantees:
 * - The whole grid is checked before any work: every name against PARAMETERS and every value by
 *   applying it to each instrument of the recording, so a typo in the last value fails at once.
 * - A point's statistics depend only on the recording and its parameters, never on the number of
 *   threads or the order points finish in: each point runs on a fresh node with its own replay clock,
 *   and every point reads the chunks the recording had when the sweep began.
 * - Only this thread writes to the backtest database, each result as it arrives, tagged with the
 *   sweep's id; a failed point is stored with its error. A sweep's run keeps its statistics only, not
 *   its fills or decisions: run that point alone to see them.
 * - Cancelling (the signal) drops the points still queued and stops the ones running; the summary
 *   says how many ran, and what was stored stays.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import type { Instrument } from '../core/instrument.ts';
import { defineInstrument } from '../core/instrument.ts';
import { defaultTradingConfig } from '../node/trading-config.ts';
import type { RecordingInfo } from '../store/recordings.ts';
import { RecordingStore, checkRecordingName, recordingsFile } from '../store/recordings.ts';
import { BacktestStore, backtestsFile } from './results-store.ts';
import type { BacktestOutcome, BacktestParams } from './runner.ts';
import { PARAMETERS, checkParams } from './runner.ts';
import type { SweepTask, SweepTaskResult } from './sweep-worker.ts';

/** The largest grid a sweep runs: beyond it a typo (a value list pasted twice) is the likelier cause. */
export const MAX_SWEEP_POINTS = 10_000;

export type SweepGrid = Readonly<Record<string, readonly string[]>>;

/**
 * Every point of the grid, each the base parameters with one value of every grid parameter: the
 * cartesian product in the grid's order, the last parameter varying fastest (as nested loops would).
 * `instruments` are the recording's: a size is valid only in whole lots of an instrument.
 */
export function expandGrid(
  base: BacktestParams,
  grid: SweepGrid,
  instruments: readonly Instrument[],
): BacktestParams[] {
  const axes = Object.entries(grid);
  if (axes.length === 0)
    throw new EngineError(
      'invalid_input',
      'the sweep grid is empty: give at least one parameter and its values',
    );
  if (instruments.length === 0)
    throw new EngineError('invalid_input', 'a sweep needs the instruments of its recording to check values');
  let points = 1;
  for (const [name, values] of axes) {
    if (!Object.hasOwn(PARAMETERS, name))
      throw new EngineError(
        'invalid_input',
        `unknown sweep parameter ${name}: use ${Object.keys(PARAMETERS).join(', ')}`,
      );
    if (Object.hasOwn(base.set, name))
      throw new EngineError('invalid_input', `${name} is both set and swept: give it in one place`);
    if (values.length === 0)
      throw new EngineError('invalid_input', `the sweep parameter ${name} has no values`);
    const repeated = values.find((v, i) => values.indexOf(v) !== i);
    if (repeated !== undefined)
      throw new EngineError('invalid_input', `the sweep parameter ${name} lists ${repeated} twice`);
    points *= values.length;
  }
  if (points > MAX_SWEEP_POINTS)
    throw new EngineError(
      'invalid_input',
      `the sweep grid has ${points.toLocaleString('en-US')} points, more than ${MAX_SWEEP_POINTS.toLocaleString('en-US')}: narrow it`,
    );
  checkParams(base, instruments);
  for (const [name, values] of axes) {
    const apply = PARAMETERS[name]!;
    for (const value of values)
      for (const inst of instruments) apply(defaultTradingConfig(inst), value, inst);
  }

  const strides = axes.map((_, a) => axes.slice(a + 1).reduce((n, [, values]) => n * values.length, 1));
  const out: BacktestParams[] = [];
  for (let p = 0; p < points; p++) {
    const set: Record<string, string> = { ...base.set };
    axes.forEach(([name, values], a) => {
      set[name] = values[Math.floor(p / strides[a]!) % values.length]!;
    });
    out.push({ ...base, set });
  }
  return out;
}

/** One point of a sweep that ran: finished (with its statistics) or failed (with its error). */
export interface SweepPointResult {
  /** Its place in the grid (expandGrid's order). */
  readonly index: number;
  readonly params: BacktestParams;
  /** Its run in the backtest database. */
  readonly runId: number;
  readonly status: 'done' | 'failed';
  readonly stats: BacktestOutcome['stats'] | null;
  readonly error: string | null;
}

export interface SweepSummary {
  /** The sweep's id, stored with each of its runs. */
  readonly sweep: string;
  readonly recording: string;
  /** Points in the grid. */
  readonly points: number;
  /** Points that ran (finished or failed); fewer than `points` only when cancelled. */
  readonly done: number;
  readonly failed: number;
  readonly cancelled: boolean;
  readonly threads: number;
  /** The finished point with the largest pnl_total (the first in grid order on a tie); null if none. */
  readonly best: SweepPointResult | null;
  /** The points that ran, in grid order. */
  readonly results: readonly SweepPointResult[];
}

export interface SweepOptions {
  dataDir: string;
  recording: string;
  base: BacktestParams;
  grid: SweepGrid;
  /** Worker threads: os.availableParallelism() by default, never more than the points. */
  threads?: number;
  signal?: AbortSignal;
  /** After each point is stored; `done` counts finished and failed points. */
  onProgress?: (done: number, total: number, last: SweepPointResult) => void;
  /**
   * Where to look for the recording, in order: the data directory's recordings file by default. The
   * CLI adds the samples shipped with the app.
   */
  recordingFiles?: readonly string[];
  /** The sweep's id; a fresh UUID by default. */
  id?: string;
  /** Time stored with each run; Date.now by default. */
  now?: () => number;
}

const WORKER = new URL('./sweep-worker.ts', import.meta.url).href;

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const { dataDir, recording, base, grid, signal } = options;
  checkRecordingName(recording);
  const { file, info } = findRecording(options.recordingFiles ?? [recordingsFile(dataDir)], recording);
  if (info.events === 0 || info.chunks === 0)
    throw new EngineError('invalid_input', `recording ${recording} has no events`);
  const points = expandGrid(base, grid, info.instruments.map(defineInstrument));
  const threads = Math.min(checkThreads(options.threads ?? availableParallelism()), points.length);
  const sweep = options.id ?? randomUUID();
  const now = options.now ?? Date.now;

  const results: SweepPointResult[] = [];
  let failed = 0;
  const summary = (): SweepSummary => {
    const sorted = [...results].sort((a, b) => a.index - b.index);
    return {
      sweep,
      recording,
      points: points.length,
      done: results.length,
      failed,
      cancelled: signal?.aborted === true && results.length < points.length,
      threads,
      best: bestOf(sorted),
      results: sorted,
    };
  };
  if (signal?.aborted) return summary();

  const store = new BacktestStore(backtestsFile(dataDir));
  // Aborted by the caller, or here when a result cannot be stored (the rest would be lost as well) or
  // the progress callback throws; that error is then the sweep's.
  const stop = new AbortController();
  const taskSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const stopped = (): boolean => taskSignal.aborted;
  let fatal: Error | undefined;
  const keep = (
    index: number,
    outcome: SweepTaskResult | { ok: false; error: { message: string } },
  ): void => {
    const params = points[index]!;
    try {
      const at = now();
      const result: SweepPointResult = outcome.ok
        ? {
            index,
            params,
            runId: store.saveRun(recording, params, statsOnly(outcome.stats, info.instruments), at, sweep),
            status: 'done',
            stats: outcome.stats,
            error: null,
          }
        : {
            index,
            params,
            runId: store.saveFailure(recording, params, outcome.error.message, at, sweep),
            status: 'failed',
            stats: null,
            error: outcome.error.message,
          };
      if (!outcome.ok) failed++;
      results.push(result);
      options.onProgress?.(results.length, points.length, result);
    } catch (err) {
      fatal ??= err instanceof Error ? err : new Error(String(err));
      stop.abort();
    }
  };
  // One lane per thread, each handing the pool its next point when the last one is done: points start
  // in grid order (piscina's own queue does not keep submission order once a task carries a signal),
  // so a cancelled sweep has run a prefix of the grid, and a large grid is not queued all at once.
  let next = 0;
  const lane = async (pool: Piscina<SweepTask, SweepTaskResult>): Promise<void> => {
    while (next < points.length && !stopped()) {
      const index = next++;
      const params = points[index]!;
      try {
        const task: SweepTask = { file, recording, chunks: info.chunks, events: info.events, params };
        keep(index, await pool.run(task, { signal: taskSignal }));
      } catch (err) {
        if (stopped()) return;
        // The thread died (out of memory, a native fault): the point failed, the sweep goes on.
        keep(index, { ok: false, error: { message: err instanceof Error ? err.message : String(err) } });
      }
    }
  };
  let pool: Piscina<SweepTask, SweepTaskResult> | undefined;
  try {
    pool = new Piscina<SweepTask, SweepTaskResult>({
      filename: WORKER,
      minThreads: threads,
      maxThreads: threads,
    });
    const started = pool;
    await Promise.all(Array.from({ length: threads }, () => lane(started)));
  } finally {
    await pool?.destroy();
    store.close();
  }
  if (fatal !== undefined) throw fatal;
  return summary();
}

function checkThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024)
    throw new EngineError('invalid_input', `threads must be a whole number from 1 to 1024, got ${threads}`);
  return threads;
}

function findRecording(files: readonly string[], name: string): { file: string; info: RecordingInfo } {
  for (const file of files) {
    if (!existsSync(file)) continue;
    const store = new RecordingStore(file, { readonly: true });
    try {
      const info = store.get(name);
      if (info) return { file, info };
    } finally {
      store.close();
    }
  }
  throw new EngineError('not_found', `no recording named ${name}: \`npm run backtest -- list\` shows them`);
}

function statsOnly(
  stats: BacktestOutcome['stats'],
  instruments: BacktestOutcome['instruments'],
): BacktestOutcome {
  return { stats, instruments, fills: [], decisions: [], samples: [] };
}

function bestOf(results: readonly SweepPointResult[]): SweepPointResult | null {
  let best: SweepPointResult | null = null;
  let bestPnl: Decimal | undefined;
  for (const r of results) {
    if (r.stats === null) continue;
    const pnl = new Decimal(r.stats.pnl_total);
    if (bestPnl === undefined || pnl.gt(bestPnl)) {
      best = r;
      bestPnl = pnl;
    }
  }
  return best;
}
