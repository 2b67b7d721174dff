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
import type { RunDetail } from './review-contract.ts';
import {
  runDetailFills,
  runDetailSeries,
  storedRunPage,
  storeRunPage,
  type RunDetailFills,
  type RunDetailPart,
  type RunDetailSeries,
} from './review-views.ts';

export interface DetailTask {
  readonly file: string;
  readonly id: number;
  /** A half of the page built from the rows, the page kept with the run, or that page built and kept. */
  readonly part: RunDetailPart | 'stored' | 'store';
}

export type DetailResult =
  | { readonly ok: true; readonly part: 'fills'; readonly detail: RunDetailFills }
  | { readonly ok: true; readonly part: 'series'; readonly detail: RunDetailSeries }
  | { readonly ok: true; readonly part: 'stored'; readonly detail: RunDetail | null }
  | { readonly ok: true; readonly part: 'store'; readonly stored: boolean }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

export default function buildRunDetail(task: DetailTask): DetailResult {
  let store: BacktestStore | undefined;
  try {
    store = new BacktestStore(task.file);
    const part = task.part;
    if (part === 'fills') return { ok: true, part, detail: runDetailFills(store, task.id) };
    if (part === 'series') return { ok: true, part, detail: runDetailSeries(store, task.id) };
    if (part === 'stored') return { ok: true, part, detail: storedRunPage(store, task.id) ?? null };
    return { ok: true, part, stored: storeRunPage(store, task.id) };
  } catch (err) {
    return { ok: false, error: toErrorValue(err) };
  } finally {
    store?.close();
  }
}
