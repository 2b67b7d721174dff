/**
 * The review's backtests and sweeps, off the trading loop: each backtest on a worker thread of its own
 * (backtest-job-worker.ts), each sweep on runSweep's pool. The host keeps one ReviewJobs; the screen
 * follows the jobs through the state snapshot (`review.jobs`), told of every change by `onChange`.
 *
 * Guarantees:
 * - A job is checked before it starts: an unknown recording, a bad parameter or grid value is refused
 *   at once, with the engine's sentence, and nothing runs.
 * - The main thread does no replay work: a backtest's worker opens the recording, runs it, and stores
 *   the run (or its failure, with the engine's error) in the backtest database itself; progress comes
 *   back at most ten times a second.
 * - Cancelling stops the run (between chunks; the thread is terminated if it does not stop within a
 *   grace period) and stores nothing for it: what the database held stays as it was. A sweep keeps
 *   the points it finished.
 * - `close` cancels every job and resolves once every thread has ended.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EngineError, toErrorValue } from '../core/errors.ts';
import { defineInstrument } from '../core/instrument.ts';
import type { BacktestJobCommand, BacktestJobMessage, BacktestJobTask } from './backtest-job-worker.ts';
import { findRecording, listRecordings, recordingFiles, type FoundRecording } from './recording-source.ts';
import { BacktestStore, backtestsFile } from './results-store.ts';
import type { BacktestParams } from './runner.ts';
import { DEFAULT_PARAMS, checkParams } from './runner.ts';
import { expandGrid, runSweep, type SweepGrid, type SweepSummary } from './sweep.ts';

export interface ReviewJobsOptions {
  dataDir: string;
  /** The host's clock: job start and end times, and the runs' creation times. */
  now: () => number;
  /** Called on every change a screen shows: a job started, progressed or ended. */
  onChange: () => void;
  /** Threads of a sweep's pool: all cores but one by default (the trading loop keeps one). */
  sweepThreads?: number;
  /** Jobs that may run at once (4 by default); one more is refused until one ends. */
  maxRunning?: number;
  /** How long a cancelled backtest may take to stop before its thread is terminated (5 s by default). */
  cancelGraceMs?: number;
  /**
   * After a backtest stored its run and before the job shows done: the host keeps the run's page
   * (review-views.ts `storeRunPage`, a layer above), so the page the screen then opens is ready. A
   * failure leaves the run as stored (its page is built when opened) and goes to `onAfterRunError`.
   */
  afterRun?: (runId: number) => Promise<unknown>;
  onAfterRunError?: (runId: number, err: unknown) => void;
}

/** What a job runs: the recording, and the parameters as the commands give them (defaults for the rest). */
export interface JobSettings {
  recording: string;
  set?: Readonly<Record<string, string>>;
  queue?: string;
  latencyMs?: number;
}

export interface SweepSettings extends JobSettings {
  grid: SweepGrid;
}

/**
 * A job as the screen shows it: the contract's JobView (engine/api/review-contract.ts), restated here
 * because the backtest layer is below the api layer; the host hands these on as they are.
 */
export interface JobView {
  id: string;
  kind: 'backtest' | 'sweep';
  recording: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** Events replayed (a backtest) or points finished (a sweep), of `total`. */
  done: number;
  total: number;
  startedAt: number;
  /** Estimated ms to go at the rate so far, null until there is a rate (and once ended). */
  etaMs: number | null;
  error: string | null;
  /** The run a backtest stored (its failure included); null for a sweep and a cancelled job. */
  runId: number | null;
  /** A sweep's id, stored with each of its runs. */
  sweep: string | null;
}

/** Finished jobs kept for the screen, newest first. */
const FINISHED_KEPT = 10;
const PROGRESS_MS = 100;
const WORKER = new URL('./backtest-job-worker.ts', import.meta.url);

interface Job {
  view: JobView;
  finishedAt: number | null;
  /** Asks the job to stop; it ends (cancelled) on its own. */
  cancel: () => void;
  cancelling: boolean;
  /** Resolves when the job has ended and its thread or pool is gone. */
  ended: Promise<void>;
}

export class ReviewJobs {
  private readonly options: ReviewJobsOptions;
  private readonly running = new Map<string, Job>();
  private finished: Job[] = [];
  private closed = false;

  constructor(options: ReviewJobsOptions) {
    this.options = options;
  }

  /** Starts a backtest on a worker thread; returns the job's id. Throws at once on bad settings. */
  start(settings: JobSettings): string {
    this.checkOpen();
    const found = this.recording(settings.recording);
    const params = paramsOf(settings);
    checkParams(params, found.info.instruments.map(defineInstrument));
    this.prepareStore();

    const id = randomUUID();
    const task: BacktestJobTask = {
      file: found.file,
      sample: found.sample,
      recording: found.info.name,
      chunks: found.info.chunks,
      events: found.info.events,
      params,
      backtests: backtestsFile(this.options.dataDir),
      createdAt: this.options.now(),
      progressMs: PROGRESS_MS,
    };
    const worker = new Worker(WORKER, { workerData: task, name: `backtest ${found.info.name}` });
    let last: BacktestJobMessage | undefined;
    let crash: unknown;
    let graceTimer: NodeJS.Timeout | undefined;
    const job = this.add(id, 'backtest', found.info.name, found.info.events, null, () => {
      const command: BacktestJobCommand = { type: 'cancel' };
      worker.postMessage(command);
      graceTimer = setTimeout(() => void worker.terminate(), this.options.cancelGraceMs ?? 5_000);
    });
    job.ended = new Promise<void>((resolve) => {
      worker.on('message', (m: BacktestJobMessage) => {
        if (m.type === 'progress') {
          job.view.done = m.done;
          job.view.total = m.total;
          this.options.onChange();
        } else last = m;
      });
      worker.on('error', (err) => {
        crash = err;
      });
      worker.on('exit', (code) => {
        clearTimeout(graceTimer);
        if (last?.type === 'done') {
          const runId = last.runId;
          void this.afterRun(runId).then(() => {
            this.end(job, 'done', null, runId);
            resolve();
          });
          return;
        }
        if (last?.type === 'failed') this.end(job, 'failed', last.error.message, last.runId);
        else if (last?.type === 'cancelled' || job.cancelling) this.end(job, 'cancelled', null, null);
        else {
          // The thread died without a word (out of memory, a fault): the run failed, and is kept so.
          const reason =
            crash === undefined
              ? `the backtest thread stopped unexpectedly (exit code ${code})`
              : `the backtest thread failed: ${toErrorValue(crash).message}`;
          this.end(job, 'failed', reason, this.storeFailure(task, reason));
        }
        resolve();
      });
    });
    return id;
  }

  /**
   * Starts a sweep: every point of the grid a backtest on the pool (runSweep), each stored with the
   * sweep's id, which is the job's. Throws at once on a bad recording, parameter or grid.
   */
  sweep(settings: SweepSettings): { job: string; points: number } {
    this.checkOpen();
    const found = this.recording(settings.recording);
    const base = paramsOf(settings);
    const points = expandGrid(base, settings.grid, found.info.instruments.map(defineInstrument)).length;
    this.prepareStore();

    const id = randomUUID();
    const abort = new AbortController();
    const job = this.add(id, 'sweep', found.info.name, points, id, () => {
      abort.abort();
    });
    const threads = this.options.sweepThreads ?? Math.max(1, availableParallelism() - 1);
    job.ended = runSweep({
      dataDir: this.options.dataDir,
      recording: found.info.name,
      base,
      grid: settings.grid,
      threads,
      signal: abort.signal,
      recordingFiles: recordingFiles(this.options.dataDir).map((f) => f.file),
      id,
      now: this.options.now,
      onProgress: (done, total) => {
        job.view.done = done;
        job.view.total = total;
        this.options.onChange();
      },
    }).then(
      (summary) => {
        this.endSweep(job, summary);
      },
      (err: unknown) => {
        this.end(job, 'failed', toErrorValue(err).message, null);
      },
    );
    return { job: id, points };
  }

  /** Cancels a running job; false when no job of that id is running (unknown, or already ended). */
  cancel(id: string): boolean {
    const job = this.running.get(id);
    if (!job || job.cancelling) return job !== undefined;
    job.cancelling = true;
    job.cancel();
    return true;
  }

  /** Running jobs in the order they started, then the last ten finished, newest first. */
  jobs(): JobView[] {
    const now = this.options.now();
    const running = [...this.running.values()].map((j) => ({ ...j.view, etaMs: eta(j.view, now) }));
    return [...running, ...this.finished.map((j) => ({ ...j.view }))];
  }

  /** The job of that id (running, or among the last finished). */
  job(id: string): JobView | undefined {
    const job = this.running.get(id) ?? this.finished.find((j) => j.view.id === id);
    return job && { ...job.view, etaMs: job.finishedAt === null ? eta(job.view, this.options.now()) : null };
  }

  /** Resolves with the job's final view once it has ended (at once for a finished one). */
  async settled(id: string): Promise<JobView> {
    const job = this.running.get(id) ?? this.finished.find((j) => j.view.id === id);
    if (!job) throw new EngineError('not_found', `no backtest job ${id}`);
    await job.ended;
    return { ...job.view };
  }

  /** Cancels every job and resolves when every thread has ended; later starts are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const ending = [...this.running.values()];
    for (const job of ending) this.cancel(job.view.id);
    await Promise.all(ending.map((j) => j.ended));
  }

  private checkOpen(): void {
    if (this.closed)
      throw new EngineError('unavailable', 'the backtest jobs have stopped: the app is closing');
    const max = this.options.maxRunning ?? 4;
    if (this.running.size >= max)
      throw new EngineError(
        'conflict',
        `${this.running.size} backtest jobs are running, the most at once: wait for one to end or cancel one`,
      );
  }

  private recording(name: string): FoundRecording {
    const found = findRecording(this.options.dataDir, name);
    if (!found) {
      const names = [...new Set(listRecordings(this.options.dataDir).map((r) => r.name))];
      const shown =
        names.length > 20
          ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more`
          : names.join(', ');
      throw new EngineError(
        'invalid_input',
        names.length === 0
          ? `no recording named ${name}: there are no recordings yet (record one, or import one)`
          : `no recording named ${name}: the recordings are ${shown}`,
      );
    }
    if (found.info.events === 0 || found.info.chunks === 0)
      throw new EngineError('invalid_input', `recording ${name} has no events yet: nothing to replay`);
    return found;
  }

  /**
   * Creates the backtest database now, so a worker and the main thread never both create its schema,
   * and a database that cannot be opened is refused before anything starts.
   */
  private prepareStore(): void {
    new BacktestStore(backtestsFile(this.options.dataDir)).close();
  }

  private add(
    id: string,
    kind: JobView['kind'],
    recording: string,
    total: number,
    sweep: string | null,
    cancel: () => void,
  ): Job {
    const job: Job = {
      view: {
        id,
        kind,
        recording,
        status: 'running',
        done: 0,
        total,
        startedAt: this.options.now(),
        etaMs: null,
        error: null,
        runId: null,
        sweep,
      },
      finishedAt: null,
      cancel,
      cancelling: false,
      ended: Promise.resolve(),
    };
    this.running.set(id, job);
    this.options.onChange();
    return job;
  }

  private endSweep(job: Job, summary: SweepSummary): void {
    const failures = summary.results.filter((r) => r.status === 'failed');
    const firstError = failures[0]?.error ?? null;
    if (summary.cancelled) this.end(job, 'cancelled', null, null);
    else if (summary.done > 0 && failures.length === summary.done)
      this.end(job, 'failed', `every point failed: ${firstError ?? ''}`, null);
    else
      this.end(
        job,
        'done',
        failures.length === 0
          ? null
          : `${failures.length} of ${summary.points} points failed: ${firstError ?? ''}`,
        null,
      );
  }

  private end(
    job: Job,
    status: Exclude<JobView['status'], 'running'>,
    error: string | null,
    runId: number | null,
  ) {
    job.view.status = status;
    job.view.error = error;
    job.view.runId = runId;
    job.view.etaMs = null;
    job.finishedAt = this.options.now();
    this.running.delete(job.view.id);
    this.finished = [job, ...this.finished].slice(0, FINISHED_KEPT);
    this.options.onChange();
  }

  /** The host's work on a stored run (its page kept); a failure of it leaves the run as it is. */
  private async afterRun(runId: number): Promise<void> {
    try {
      await this.options.afterRun?.(runId);
    } catch (err) {
      this.options.onAfterRunError?.(runId, err);
    }
  }

  /** Keeps a run whose thread died, as the worker would have; null when that fails too. */
  private storeFailure(task: BacktestJobTask, error: string): number | null {
    try {
      const store = new BacktestStore(task.backtests);
      try {
        return store.saveFailure(task.recording, task.params, error, this.options.now());
      } finally {
        store.close();
      }
    } catch {
      return null;
    }
  }
}

function paramsOf(settings: JobSettings): BacktestParams {
  return {
    ...DEFAULT_PARAMS,
    set: { ...(settings.set ?? {}) },
    queue: settings.queue ?? DEFAULT_PARAMS.queue,
    latencyMs: settings.latencyMs ?? DEFAULT_PARAMS.latencyMs,
  };
}

/** Ms to go at the rate so far; null before any progress or time has passed. */
function eta(view: JobView, now: number): number | null {
  const elapsed = now - view.startedAt;
  if (view.done <= 0 || elapsed <= 0) return null;
  return Math.max(0, Math.round((elapsed * (view.total - view.done)) / view.done));
}
