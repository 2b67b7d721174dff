import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import { equityCsv, fillsCsv, instrumentsBySymbol } from '../../backtest/csv-export.ts';
import { findRecording, listRecordings } from '../../backtest/recording-source.ts';
import { BacktestStore, backtestsFile } from '../../backtest/results-store.ts';
import type { ReviewJobs } from '../../backtest/review-jobs.ts';
import type { ReviewCommand, ReviewRecording, RunDetail, SessionHandlers } from '../contract.ts';
import { runDecision, runView } from '../review-views.ts';
import { ack } from './context.ts';
import type { DetailResult, DetailTask } from '../review-detail-worker.ts';

const DETAIL_WORKER = new URL('../review-detail-worker.ts', import.meta.url).href;

/**
 * Reads and builds run pages on worker threads of their own, so opening a large run does not hold up
 * the host's trading thread. A run stored by this version has its page kept with it (`store`, when
 * the run is stored): opening it reads that. A run without one (stored before, or its page failed
 * to be kept) is built from its rows in two halves at once, its fills on one thread and the rest on
 * the other, which take about as long as each other (on the benchmark's run, on a busy two-core
 * machine, the answer came some 50 ms sooner than from one thread). The threads start when the runs
 * list is first asked for (`prewarm`), so the first page opened does not also wait for them to load,
 * and stay until the host stops.
 */
export class RunDetailPool {
  private pool: Piscina<DetailTask, DetailResult> | undefined;
  private closed = false;

  /** Starts the threads ahead of a first page, unless the host is stopping. */
  prewarm(): void {
    if (!this.closed) this.warm();
  }

  private warm(): Piscina<DetailTask, DetailResult> {
    if (this.closed) throw new EngineError('unavailable', 'the host is stopping: run pages are closed');
    this.pool ??= new Piscina<DetailTask, DetailResult>({
      filename: DETAIL_WORKER,
      minThreads: 2,
      maxThreads: 2,
    });
    return this.pool;
  }

  async detail(file: string, id: number): Promise<RunDetail> {
    const pool = this.warm();
    const kept = await pool.run({ file, id, part: 'stored' });
    if (!kept.ok) throw new EngineError(kept.error.code, kept.error.message);
    if (kept.part === 'stored' && kept.detail !== null) return kept.detail;
    const [fills, series] = await Promise.all([
      pool.run({ file, id, part: 'fills' }),
      pool.run({ file, id, part: 'series' }),
    ]);
    if (!series.ok) throw new EngineError(series.error.code, series.error.message);
    if (!fills.ok) throw new EngineError(fills.error.code, fills.error.message);
    if (series.part !== 'series' || fills.part !== 'fills')
      throw new EngineError('internal', 'run page halves mixed up');
    return { ...series.detail, ...fills.detail };
  }

  /** Builds a stored run's page and keeps it with the run; false for a run with no page (failed). */
  async store(file: string, id: number): Promise<boolean> {
    const r = await this.warm().run({ file, id, part: 'store' });
    if (!r.ok) throw new EngineError(r.error.code, r.error.message);
    return r.part === 'store' && r.stored;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}

export interface ReviewContext {
  readonly clock: Clock;
  /** The data directory: its recordings, and the backtest database `backtests.sqlite`. */
  readonly dataDir: string;
  /** The host's jobs: backtests and sweeps on worker threads. */
  readonly jobs: ReviewJobs;
  /** Where run pages are built, off the host's thread. */
  readonly details: RunDetailPool;
}

/**
 * The backtest review: the stored runs (list, detail, decisions, export, delete), the recordings a
 * run can replay, and the jobs (start, sweep, cancel). The host's, not a session's: runs and jobs
 * outlive a venue switch.
 *
 * The backtest database is opened for each command and closed after it (a worker thread may be
 * writing to it meanwhile: WAL lets these reads go on). Until a run is stored there is no database,
 * and none is created just to say so.
 */
export function reviewHandlers(ctx: ReviewContext): Pick<Required<SessionHandlers>, ReviewCommand> {
  const file = backtestsFile(ctx.dataDir);
  const withStore = <T>(use: (store: BacktestStore) => T): T => {
    const store = new BacktestStore(file);
    try {
      return use(store);
    } finally {
      store.close();
    }
  };
  const missingRun = (id: number): EngineError =>
    new EngineError('not_found', `there is no backtest run ${id}`);
  return {
    'review.runs': () => {
      ctx.details.prewarm();
      return { runs: existsSync(file) ? withStore((s) => s.list().map(runView)) : [] };
    },
    'review.recordings': () => ({ recordings: recordingsView(ctx.dataDir) }),
    'review.run': (input) => {
      if (!existsSync(file)) throw missingRun(input.id);
      return ctx.details.detail(file, input.id);
    },
    'review.decision': (input) => {
      if (!existsSync(file)) throw missingRun(input.id);
      const by = input.seq !== undefined ? { seq: input.seq } : { at: input.at ?? 0 };
      return withStore((s) => runDecision(s, input.id, by, input.symbol));
    },
    'review.delete': (input) => ({
      ...ack(ctx.clock),
      deleted: existsSync(file) ? withStore((s) => s.deleteMany([...new Set(input.ids)])) : 0,
    }),
    'review.export': (input) => {
      if (!existsSync(file)) throw missingRun(input.id);
      return withStore((s) => {
        const run = s.require(input.id);
        // The run's own instruments (stored with it), else its recording's: prices need the tick and lot.
        let specs = run.instruments;
        if (specs === null || specs.length === 0) {
          const found = findRecording(ctx.dataDir, run.recording);
          if (!found)
            throw new EngineError(
              'not_found',
              `run ${run.id} was on recording ${run.recording}, which is gone: its tick and lot sizes are needed to print prices`,
            );
          specs = [...found.info.instruments];
        }
        const instruments = instrumentsBySymbol(specs);
        return {
          fills: fillsCsv(s.fills(run.id), instruments),
          equity: equityCsv(s.samples(run.id), instruments),
          name: `backtest-${run.id}-${run.recording}`,
        };
      });
    },
    'review.start': (input) => ({ ...ack(ctx.clock), job: ctx.jobs.start(input) }),
    'review.sweep': (input) => ({ ...ack(ctx.clock), ...ctx.jobs.sweep(input) }),
    'review.cancel': (input) => ({ ...ack(ctx.clock), cancelled: ctx.jobs.cancel(input.job) }),
  };
}

/**
 * The data directory's recordings, then the shipped samples; a sample with the name of one of the
 * trader's recordings is left out, since that name replays the trader's.
 */
function recordingsView(dataDir: string): ReviewRecording[] {
  const all = listRecordings(dataDir);
  const own = new Set(all.filter((r) => !r.sample).map((r) => r.name));
  return all
    .filter((r) => !r.sample || !own.has(r.name))
    .map((r) => ({
      name: r.name,
      source: r.sample ? 'sample' : 'data',
      symbols: r.instruments.map((i) => i.symbol),
      events: r.events,
      spanMs: r.firstLocal === null || r.lastLocal === null ? 0 : r.lastLocal - r.firstLocal,
      createdAt: r.createdAt,
    }));
}
