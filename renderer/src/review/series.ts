/**
 * A run's columns turned into what the charts draw, without building an object per sample until the
 * chart needs one (the columns arrive as typed arrays and floats: packed.ts): one shared time
 * grid for every chart of the page (so a logical range means the same times on each), and values
 * carried forward onto it. Pure.
 */
import { indexAtOrBefore } from './markers.ts';

/** Whether `ts` never goes backwards (the engine's columns are in time order). */
export function isAscending(ts: ArrayLike<number>): boolean {
  for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) return false;
  return true;
}

/**
 * The sorted union of the given time columns (ms), each time once: the page's time grid. Columns
 * that are out of order are sorted first.
 */
export function timeGrid(...columns: ArrayLike<number>[]): Float64Array {
  const all: number[] = [];
  for (const c of columns) for (let i = 0; i < c.length; i++) if (Number.isFinite(c[i])) all.push(c[i]!);
  const sorted = Float64Array.from(all).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

/**
 * The value in force at each grid time: the last sample at or before it (when several samples share
 * a time, the last wins), NaN before the first and where that sample has no value. `ts` ascending.
 */
export function carryForward(
  grid: ArrayLike<number>,
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(grid.length);
  let j = -1;
  for (let i = 0; i < grid.length; i++) {
    const t = grid[i]!;
    while (j + 1 < ts.length && ts[j + 1]! <= t) j++;
    out[i] = j < 0 ? NaN : values[j]!;
  }
  return out;
}

/** The grid index a time is drawn at: the grid time at or before it (the first grid time before that). */
export function gridIndexOf(grid: ArrayLike<number>, t: number): number {
  return Math.max(indexAtOrBefore(grid, t), 0);
}

/** The indices of `ts` in ascending time order (stable); null when `ts` is in order already. */
export function timeOrder(ts: ArrayLike<number>): Uint32Array | null {
  if (isAscending(ts)) return null;
  const order = new Uint32Array(ts.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => ts[a]! - ts[b]! || a - b);
}

/** `values` read in `order` (as they are when the order is null). */
export function reorder<T>(values: ArrayLike<T>, order: Uint32Array | null): ArrayLike<T> {
  if (order === null) return values;
  const out = new Array<T>(order.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]!]!;
  return out;
}

/** Floats in `order` (timeOrder's), or the very array when it is in order already. */
export function reorderFloats(values: Float64Array, order: Uint32Array | null): Float64Array {
  return order === null ? values : Float64Array.from(reorder(values, order));
}

/**
 * A quote side over the grid: the price in force at each grid time and whether the side was withheld
 * then (drawn at its last price, transparent). NaN before the first quote. `ts` ascending.
 */
export function quoteColumn(
  grid: ArrayLike<number>,
  ts: ArrayLike<number>,
  prices: ArrayLike<number>,
): { value: Float64Array; off: Uint8Array } {
  const raw = carryForward(grid, ts, prices);
  const value = new Float64Array(grid.length);
  const off = new Uint8Array(grid.length);
  let last = NaN;
  for (let i = 0; i < grid.length; i++) {
    const p = raw[i]!;
    if (Number.isFinite(p)) last = p;
    else if (Number.isFinite(last)) off[i] = 1;
    value[i] = last;
  }
  return { value, off };
}
