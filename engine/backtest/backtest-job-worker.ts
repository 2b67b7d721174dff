/**
 * One backtest of the review, on a worker thread of its own (ReviewJobs in review-jobs.ts starts it),
 * so a long replay never slows the trading loop. Node loads this file as TypeScript (type stripping):
 * erasable syntax only.
 *
 * The worker opens the recording itself (a SQLite handle cannot cross threads) from the file the main
 * thread found it in, reads only the chunks the recording had when the job started, runs it with its
 * detail, and stores the run in the backtest database over its own connection (WAL: the main thread's
 * reads go on meanwhile, and SQLite's busy timeout serializes writers). A failed run is stored with the
 * engine's error. A cancel (the main thread's `cancel` message) aborts the run between chunks and
 * stores nothing.
 *
 * Every outcome is one message, the last the worker sends: `done`, `failed` or `cancelled`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError, toErrorValue, type ErrorCode } from '../core/errors.ts';
import { RecordingStore } from '../store/recordings.ts';
import { recordingSource } from './recording-source.ts';
import { BacktestStore } from './results-store.ts';
import type { BacktestParams } from './runner.ts';
import { runBacktest } from './runner.ts';

export interface BacktestJobTask {
  /** The recordings file that holds the recording, and whether it is the shipped samples (read only). */
  readonly file: string;
  readonly sample: boolean;
  readonly recording: string;
  /** Chunks and events of the recording when the job started: a recording being written grows. */
  readonly chunks: number;
  readonly events: number;
  readonly params: BacktestParams;
  /** The backtest database the run is stored in. */
  readonly backtests: string;
  /** Time stored with the run (the host's clock, which the worker cannot read). */
  readonly createdAt: number;
  /** Least ms between two progress messages. */
  readonly progressMs: number;
}

/** From the main thread. */
export type BacktestJobCommand = { readonly type: 'cancel' };

/** To the main thread. */
export type BacktestJobMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly runId: number }
  /** `runId`: the failed run as stored, or null when even that could not be stored. */
  | {
      readonly type: 'failed';
      readonly error: { readonly code: ErrorCode; readonly message: string };
      readonly runId: number | null;
    }
  | { readonly type: 'cancelled' };

async function runJob(task: BacktestJobTask, signal: AbortSignal, post: (m: BacktestJobMessage) => void) {
  let lastProgress = -Infinity;
  const onProgress = (done: number, total: number): void => {
    const now = performance.now();
    if (now - lastProgress < task.progressMs && done < total) return;
    lastProgress = now;
    post({ type: 'progress', done, total });
  };
  let recordings: RecordingStore | undefined;
  let results: BacktestStore | undefined;
  try {
    recordings = new RecordingStore(task.file, { readonly: task.sample });
    const info = recordings.get(task.recording);
    if (!info) throw new EngineError('not_found', `recording ${task.recording} is no longer in ${task.file}`);
    const source = recordingSource(recordings, info, { chunks: task.chunks, events: task.events });
    const outcome = await runBacktest(source, task.params, { onProgress, signal, keepDetail: true });
    if (signal.aborted) {
      post({ type: 'cancelled' });
      return;
    }
    results = new BacktestStore(task.backtests);
    post({ type: 'done', runId: results.saveRun(task.recording, task.params, outcome, task.createdAt) });
  } catch (err) {
    if (signal.aborted) {
      post({ type: 'cancelled' });
      return;
    }
    const error = toErrorValue(err);
    let runId: number | null = null;
    try {
      results ??= new BacktestStore(task.backtests);
      runId = results.saveFailure(task.recording, task.params, error.message, task.createdAt);
    } catch (saveErr) {
      error.message += ` (and the failed run could not be stored: ${toErrorValue(saveErr).message})`;
    }
    post({ type: 'failed', error, runId });
  } finally {
    results?.close();
    recordings?.close();
  }
}

if (parentPort !== null) {
  const port = parentPort;
  const abort = new AbortController();
  // The only command is a cancel.
  port.on('message', (_m: BacktestJobCommand) => {
    abort.abort();
  });
  void runJob(workerData as BacktestJobTask, abort.signal, (m) => {
    port.postMessage(m);
  }).finally(() => {
    // The port's listener no longer keeps the thread alive: it ends once its last message is sent.
    port.unref();
  });
}
