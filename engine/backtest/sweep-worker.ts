/**
 * One point of a parameter sweep, on a worker thread of the pool that engine/backtest/sweep.ts starts.
 * Node loads this file as TypeScript (type stripping), so it may use only erasable syntax.
 *
 * The worker opens the recording itself, read-only, for each point: a SQLite handle cannot cross
 * threads, and a connection that streams chunks cannot serve anything else until the stream ends.
 * It never writes: the main thread stores every result, so the backtest database has one writer.
 *
 * Errors come back as values, so a rejection of the pool's promise means only that the pool failed
 * (a cancelled task, a thread that died), never that the backtest did.
 */
import { EngineError, toErrorValue, type ErrorCode } from '../core/errors.ts';
import type { StoredChunk } from '../store/recordings.ts';
import { RecordingStore } from '../store/recordings.ts';
import type { BacktestOutcome, BacktestParams, BacktestSource } from './runner.ts';
import { firstChunks } from './recording-source.ts';
import { runBacktest } from './runner.ts';

export interface SweepTask {
  /** The recordings file that holds the recording (the sweep found it before starting). */
  readonly file: string;
  readonly recording: string;
  /**
   * Chunks and events of the recording when the sweep began. A recording still being written grows
   * between points; reading only these chunks gives every point the same events.
   */
  readonly chunks: number;
  readonly events: number;
  readonly params: BacktestParams;
}

export type SweepTaskResult =
  | { readonly ok: true; readonly stats: BacktestOutcome['stats'] }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

export default async function runSweepPoint(task: SweepTask): Promise<SweepTaskResult> {
  let store: RecordingStore | undefined;
  let stream: Generator<StoredChunk> | undefined;
  try {
    store = new RecordingStore(task.file, { readonly: true });
    const info = store.get(task.recording);
    if (!info) throw new EngineError('not_found', `recording ${task.recording} is no longer in ${task.file}`);
    const opened = store;
    const source: BacktestSource = {
      name: task.recording,
      instruments: info.instruments,
      events: task.events,
      chunks: () => (stream = firstChunks(opened.chunksOf(task.recording), task.chunks)),
    };
    const outcome = await runBacktest(source, task.params, { keepDetail: false });
    return { ok: true, stats: outcome.stats };
  } catch (err) {
    return { ok: false, error: toErrorValue(err) };
  } finally {
    // A run that failed part-way leaves its chunk statement open, and the connection refuses to close
    // while a statement iterates.
    stream?.return(undefined);
    store?.close();
  }
}
