/**
 * A run's page (review-views.ts `runDetail`) built on a worker thread: reading and formatting a large
 * run takes the better part of a second (100,000 fills), which the host's thread must spend trading.
 * Node loads this file as TypeScript (type stripping), so it uses only erasable syntax.
 *
 * Errors come back as values (an EngineError's code survives; a thrown error would arrive as a plain
 * Error), so a rejection of the pool's promise means only that the pool failed.
 */
import { BacktestStore } from '../backtest/results-store.ts';
import { toErrorValue, type ErrorCode } from '../core/errors.ts';
import type { RunDetail } from './review-contract.ts';
import { runDetail } from './review-views.ts';

export interface DetailTask {
  readonly file: string;
  readonly id: number;
}

export type DetailResult =
  | { readonly ok: true; readonly detail: RunDetail }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

export default function buildRunDetail(task: DetailTask): DetailResult {
  let store: BacktestStore | undefined;
  try {
    store = new BacktestStore(task.file);
    return { ok: true, detail: runDetail(store, task.id) };
  } catch (err) {
    return { ok: false, error: toErrorValue(err) };
  } finally {
    store?.close();
  }
}
