/**
 * Level of detail for a run's charts. A run has tens of thousands of time points (samples and quote
 * changes) and a canvas line costs per point drawn, so the charts get at most a few points per pixel:
 * the time grid cut into buckets of `level` points, each bucket drawn at the points of its lowest and
 * highest mid (the price line keeps its envelope; every other series is read at the same points, so
 * all charts share one point set and a logical range is the same span on each). Only a window of the
 * grid around the visible range is handed to the charts, so zooming in never sets the whole run at
 * full detail. Pure.
 */

/** The largest power of two ≤ x (1 for x < 2). */
export function pow2floor(x: number): number {
  return x < 2 ? 1 : 2 ** Math.floor(Math.log2(x));
}

/**
 * The bucket size for `perPixel` grid points per pixel: kept while it draws 1–4 points per pixel
 * (two per bucket), else the power of two nearest below.
 */
export function chooseLevel(current: number, perPixel: number): number {
  if (!(perPixel > 0)) return current;
  if (perPixel >= current * 2 || perPixel <= current / 2) return pow2floor(perPixel);
  return current;
}

/** The grid window [from, to) handed to the charts: the visible span and as much again each side, on bucket bounds. */
export function windowFor(g0: number, g1: number, level: number, n: number): { from: number; to: number } {
  const span = Math.max(g1 - g0, 1);
  const from = Math.max(Math.floor((g0 - span) / level) * level, 0);
  const to = Math.min(Math.ceil((g1 + span + 1) / level) * level, n);
  return { from, to: Math.max(to, Math.min(from + 1, n)) };
}

/** Whether the visible grid span [g0, g1] sits well inside the window (or against an end of the run). */
export function windowHolds(win: { from: number; to: number }, g0: number, g1: number, n: number): boolean {
  const margin = Math.max(g1 - g0, 1) / 4;
  const leftOk = win.from === 0 || g0 >= win.from + margin;
  const rightOk = win.to >= n || g1 <= win.to - 1 - margin;
  return leftOk && rightOk;
}

/**
 * The grid indices drawn for a window at a level: every index at level 1; else per bucket of `level`
 * indices (aligned to multiples of it) the indices of the lowest and the highest finite `mid`, in
 * order (one where they coincide, the bucket's first where it has no mid).
 */
export function pointSet(mid: ArrayLike<number>, level: number, from: number, to: number): Int32Array {
  if (to <= from) return new Int32Array(0);
  if (level <= 1) {
    const all = new Int32Array(to - from);
    for (let i = 0; i < all.length; i++) all[i] = from + i;
    return all;
  }
  const out = new Int32Array(Math.ceil((to - from) / level) * 2 + 2);
  let n = 0;
  for (let start = from; start < to; start += level) {
    const end = Math.min(start + level, to);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = mid[i]!;
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < mid[lo]!) lo = i;
      if (hi < 0 || v > mid[hi]!) hi = i;
    }
    if (lo < 0) out[n++] = start;
    else if (lo === hi) out[n++] = lo;
    else {
      out[n++] = Math.min(lo, hi);
      out[n++] = Math.max(lo, hi);
    }
  }
  return out.slice(0, n);
}

/** The position in `points` (grid indices) of the last one at or before grid index g; −1 when none is. */
export function pointAtOrBefore(points: ArrayLike<number>, g: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (points[m]! <= g) lo = m + 1;
    else hi = m;
  }
  return lo - 1;
}

/** The mean time between points, for reading positions beyond either end. */
function spacing(points: ArrayLike<number>, grid: ArrayLike<number>): number {
  const n = points.length;
  if (n < 2) return 1;
  const span = grid[points[n - 1]!]! - grid[points[0]!]!;
  return span > 0 ? span / (n - 1) : 1;
}

/** The time (ms) at a fractional position of the point set: interpolated between points, extrapolated past the ends. */
export function timeAt(points: ArrayLike<number>, grid: ArrayLike<number>, x: number): number {
  const n = points.length;
  if (n === 0) return 0;
  const t = (j: number) => grid[points[j]!]!;
  if (x <= 0) return t(0) + x * spacing(points, grid);
  if (x >= n - 1) return t(n - 1) + (x - (n - 1)) * spacing(points, grid);
  const j = Math.floor(x);
  return t(j) + (x - j) * (t(j + 1) - t(j));
}

/** The fractional position of time `ms` in the point set: the inverse of `timeAt`. */
export function positionAt(points: ArrayLike<number>, grid: ArrayLike<number>, ms: number): number {
  const n = points.length;
  if (n === 0) return 0;
  const t = (j: number) => grid[points[j]!]!;
  if (ms <= t(0)) return (ms - t(0)) / spacing(points, grid);
  if (ms >= t(n - 1)) return n - 1 + (ms - t(n - 1)) / spacing(points, grid);
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >>> 1;
    if (t(m) <= ms) lo = m;
    else hi = m;
  }
  const d = t(hi) - t(lo);
  return lo + (d > 0 ? (ms - t(lo)) / d : 0);
}
