/**
 * Half of a run's page (review-views.ts `runDetailFills`, `runDetailSeries`) built on a worker
 * thread: reading and packing a large run takes a few hundred milliseconds (100,000 fills), which the
 * host's thread must spend trading. Node loads this file as TypeScript (type stripping), so it uses
 * only erasable syntax.
 *
 * Errors come back as values (an EngineError's code survives; a thrown error would arrive as a plain
 * Error), so a rejection of the pool's promise means only that the pool failed.
 */
import { BacktestStore } from '../backtest/results-store.ts';
import { toErrorValue, type ErrorCode } from '../core/errors.ts';
import {
  runDetailFills,
  runDetailSeries,
  type RunDetailFills,
  type RunDetailPart,
  type RunDetailSeries,
} from './review-views.ts';

export interface DetailTask {
  readonly file: string;
  readonly id: number;
  readonly part: RunDetailPart;
}

export type DetailResult =
  | { readonly ok: true; readonly part: 'fills'; readonly detail: RunDetailFills }
  | { readonly ok: true; readonly part: 'series'; readonly detail: RunDetailSeries }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

export default function buildRunDetail(task: DetailTask): DetailResult {
  let store: BacktestStore | undefined;
  try {
    store = new BacktestStore(task.file);
    return task.part === 'fills'
      ? { ok: true, part: 'fills', detail: runDetailFills(store, task.id) }
      : { ok: true, part: 'series', detail: runDetailSeries(store, task.id) };
  } catch (err) {
    return { ok: false, error: toErrorValue(err) };
  } finally {
    store?.close();
  }
}
