/**
 * The runs table's logic: what a run's parameters read as, the text filter, the column sort and which
 * headline statistics the table has columns for. Pure, so it is tested under Node.
 */
import type { RunView } from '../../../engine/api/contract.ts';
import { compareDecimal, parseDecimal } from './decimal.ts';

/** The headline statistics, in the order the table shows them (those present in some run). */
export const HEADLINE_STATS = [
  'pnl_total',
  'spread_capture',
  'inventory_pnl',
  'fees',
  'max_drawdown',
  'fills',
  'sharpe',
] as const;

export const STAT_LABELS: Record<string, string> = {
  pnl_total: 'PnL',
  spread_capture: 'Spread capture',
  inventory_pnl: 'Inventory PnL',
  fees: 'Fees',
  max_drawdown: 'Max drawdown',
  fills: 'Fills',
  sharpe: 'Sharpe',
};

/** Statistics that are a profit or a loss: coloured by sign (ux.md, Numbers). */
const PNL_STATS = new Set(['pnl_total', 'spread_capture', 'inventory_pnl', 'pnl_vs_hold']);
/** Statistics in the quote currency: grouped in thousands. */
const MONEY_STATS = new Set([...PNL_STATS, 'fees', 'max_drawdown', 'equity_start', 'equity_end', 'turnover']);

export function isPnlStat(key: string): boolean {
  return PNL_STATS.has(key) || /^(markout|adverse)_/.test(key);
}

export function isMoneyStat(key: string): boolean {
  return MONEY_STATS.has(key);
}

/** Which way is better for a statistic, to colour a difference: 1 higher, −1 lower, 0 neither. */
export function statDirection(key: string): -1 | 0 | 1 {
  if (isPnlStat(key) || key === 'sharpe' || key === 'sortino' || key === 'fill_ratio') return 1;
  if (key === 'max_drawdown' || key === 'fees') return -1;
  return 0;
}

/** "gamma=0.1 kappa=2" in name order; "defaults" when nothing was changed. */
export function paramsText(set: Readonly<Record<string, string>>): string {
  const keys = Object.keys(set).sort();
  return keys.length === 0 ? 'defaults' : keys.map((k) => `${k}=${set[k] ?? ''}`).join(' ');
}

/** A statistic's value as text; objects (the runner's left-out counts) as JSON; "—" for none. */
export function statText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '—';
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The headline statistics some run has, in table order. */
export function statColumns(runs: readonly RunView[]): string[] {
  return HEADLINE_STATS.filter((k) => runs.some((r) => r.stats?.[k] !== undefined));
}

/** Everything the filter looks through: recording, symbol, parameters, queue, status, error, sweep. */
function haystack(run: RunView): string {
  return [
    `#${String(run.id)}`,
    run.recording,
    run.symbol ?? '',
    paramsText(run.set),
    run.queue,
    `${String(run.latencyMs)}ms`,
    run.status,
    run.error ?? '',
    run.sweep ?? '',
  ]
    .join(' ')
    .toLowerCase();
}

/** Runs matching every word of `text` (case-insensitive, anywhere); all of them for blank text. */
export function filterRuns(runs: readonly RunView[], text: string): RunView[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...runs];
  return runs.filter((r) => {
    const hay = haystack(r);
    return words.every((w) => hay.includes(w));
  });
}

export type SortColumn =
  | 'id'
  | 'recording'
  | 'symbol'
  | 'params'
  | 'queue'
  | 'latencyMs'
  | 'createdAt'
  | 'status'
  | `stat:${string}`;

export interface SortOrder {
  column: SortColumn;
  dir: 'asc' | 'desc';
}

/** Newest first, as the engine lists them. */
export const DEFAULT_SORT: SortOrder = { column: 'createdAt', dir: 'desc' };

/** Clicking a header: the same column flips its direction; another starts descending for figures. */
export function nextSort(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column === column) return { column, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  const text = column === 'recording' || column === 'symbol' || column === 'params' || column === 'queue';
  return { column, dir: text || column === 'status' ? 'asc' : 'desc' };
}

function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/**
 * The runs in the order of `order`: figures compared exactly as decimals, text naturally ("run 2"
 * before "run 10"); runs without the figure always last, whichever the direction; ties by id.
 */
export function sortRuns(runs: readonly RunView[], order: SortOrder): RunView[] {
  const sign = order.dir === 'asc' ? 1 : -1;
  const col = order.column;
  const stat = col.startsWith('stat:') ? col.slice(5) : null;
  return [...runs].sort((a, b) => {
    let c: number;
    if (stat !== null) {
      const va = a.stats?.[stat];
      const vb = b.stats?.[stat];
      const hasA = parseDecimal(va) !== null;
      const hasB = parseDecimal(vb) !== null;
      if (hasA !== hasB) return hasA ? -1 : 1;
      // Both numbers (compared exactly) or both without one (equal).
      c = compareDecimal(va, vb) ?? 0;
    } else if (col === 'id' || col === 'latencyMs' || col === 'createdAt') {
      c = a[col] - b[col];
    } else if (col === 'symbol') {
      if ((a.symbol === null) !== (b.symbol === null)) return a.symbol === null ? 1 : -1;
      c = compareText(a.symbol ?? '', b.symbol ?? '');
    } else if (col === 'params') {
      c = compareText(paramsText(a.set), paramsText(b.set));
    } else {
      c = compareText(a[col as 'recording' | 'queue' | 'status'], b[col as 'recording' | 'queue' | 'status']);
    }
    if (c !== 0) return c * sign;
    return (a.id - b.id) * sign;
  });
}

/** The ids in `ids` that are still in `runs`, in the order of `runs` (the table's order). */
export function selectedInOrder(runs: readonly RunView[], ids: ReadonlySet<number>): number[] {
  return runs.filter((r) => ids.has(r.id)).map((r) => r.id);
}
